package dev.octet.runtime.ops.nn;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.simd.VectorMath;

/** GlobalAveragePool and GlobalMaxPool: one value per (image, channel), spatial dims kept as 1. */
public final class GlobalPoolKernel implements Kernel {
  private final boolean max;

  public GlobalPoolKernel(boolean max) {
    this.max = max;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if (x.rank() < 3) {
      throw new OctetException("input must be [N, C, spatial...], got rank " + x.rank());
    }
    int planes = x.dim(0) * x.dim(1);
    int size = x.size() / Math.max(1, planes);
    float[] xv = x.floats();
    float[] y = new float[planes];
    // in parallel over planes of at least 8K values in all (SqueezeNet's last pooling, 1000
    // planes of 169, ran on one thread: 0.4% of the two-thread run in samples)
    ctx.parallelFor(
        planes,
        Math.max(1, 8192 / Math.max(1, size)),
        (p0, p1) -> {
          for (int p = p0; p < p1; p++) {
            y[p] =
                max
                    ? VectorMath.max(xv, p * size, size)
                    : VectorMath.sum(xv, p * size, size) / size;
          }
        });
    int[] shape = x.shape();
    for (int i = 2; i < shape.length; i++) {
      shape[i] = 1;
    }
    return new Tensor[] {Tensor.wrap(y, shape)};
  }
}
