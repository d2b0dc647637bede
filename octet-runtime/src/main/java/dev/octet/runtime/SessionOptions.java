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
 */
public record SessionOptions(int threads, KernelRegistry registry, boolean constantFolding) {
  public SessionOptions {
    if (threads < 1 || threads > 1024) {
      throw new OctetException("threads must be between 1 and 1024, got " + threads);
    }
    if (registry == null) {
      registry = StandardOps.registry();
    }
  }

  public static SessionOptions defaults() {
    return new SessionOptions(Runtime.getRuntime().availableProcessors(), null, true);
  }

  public SessionOptions withThreads(int n) {
    return new SessionOptions(n, registry, constantFolding);
  }

  public SessionOptions withRegistry(KernelRegistry r) {
    return new SessionOptions(threads, r, constantFolding);
  }

  public SessionOptions withConstantFolding(boolean fold) {
    return new SessionOptions(threads, registry, fold);
  }
}
