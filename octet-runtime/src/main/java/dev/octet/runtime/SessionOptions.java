package dev.octet.runtime;

import dev.octet.core.OctetException;
import dev.octet.runtime.kernel.KernelRegistry;
import dev.octet.runtime.ops.StandardOps;

/**
 * How a {@link Session} runs.
 *
 * @param threads intra-op threads (results do not depend on it); default: available processors
 * @param registry the kernels to use; default: {@link StandardOps#registry()}
 * @param constantFolding run nodes whose inputs are all constant once, at planning time
 * @param fuse rewrite op patterns into fused kernels (Conv+Relu, MatMul+bias, LayerNorm, GELU);
 *     their inner values are then not seen by a ValueListener, so calibration turns it off
 */
public record SessionOptions(
    int threads, KernelRegistry registry, boolean constantFolding, boolean fuse) {
  public SessionOptions {
    if (threads < 1 || threads > 1024) {
      throw new OctetException("threads must be between 1 and 1024, got " + threads);
    }
    if (registry == null) {
      registry = StandardOps.registry();
    }
  }

  public static SessionOptions defaults() {
    return new SessionOptions(Runtime.getRuntime().availableProcessors(), null, true, true);
  }

  public SessionOptions withThreads(int n) {
    return new SessionOptions(n, registry, constantFolding, fuse);
  }

  public SessionOptions withRegistry(KernelRegistry r) {
    return new SessionOptions(threads, r, constantFolding, fuse);
  }

  public SessionOptions withConstantFolding(boolean fold) {
    return new SessionOptions(threads, registry, fold, fuse);
  }

  public SessionOptions withFusion(boolean enabled) {
    return new SessionOptions(threads, registry, constantFolding, enabled);
  }
}
