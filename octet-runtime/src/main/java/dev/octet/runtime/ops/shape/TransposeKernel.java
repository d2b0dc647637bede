package dev.octet.runtime.ops.shape;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import java.util.Arrays;

/** Transpose by perm (default: reverse the dimensions). */
public final class TransposeKernel implements Kernel {
  private final long[] perm;

  public TransposeKernel(OpContext op) {
    this.perm = op.attrs().getInts("perm");
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int r = x.rank();
    int[] p = new int[r];
    boolean[] seen = new boolean[r];
    for (int i = 0; i < r; i++) {
      p[i] = perm == null ? r - 1 - i : (int) perm[i];
      if (perm != null && (perm.length != r || p[i] < 0 || p[i] >= r || seen[p[i]])) {
        throw new OctetException(
            "perm " + Arrays.toString(perm) + " is not a permutation of rank " + r);
      }
      seen[p[i]] = true;
    }
    int[] s = x.shape();
    int[] st = Shapes.strides(s);
    int[] out = new int[r];
    int[] strides = new int[r];
    for (int i = 0; i < r; i++) {
      out[i] = s[p[i]];
      strides[i] = st[p[i]];
    }
    if (x.dtype() == DType.FLOAT) {
      return new Tensor[] {Tensor.wrap(transposeFloats(x.floats(), out, strides, ctx), out)};
    }
    return new Tensor[] {Movement.gather(x, Movement.strided(out, strides, 0), out)};
  }

  /**
   * float32 without an index array: walks the output in order; when the last axis stays last the
   * innermost rows are contiguous in the source and copied whole.
   */
  private static float[] transposeFloats(float[] src, int[] out, int[] strides, ExecContext ctx) {
    int r = out.length;
    int n = Tensor.elementCount(out);
    float[] dst = ctx.floats(n);
    if (n == 0) {
      return dst;
    }
    int inner = r == 0 ? 1 : out[r - 1];
    int innerStride = r == 0 ? 1 : strides[r - 1];
    int rows = n / inner;
    int[] idx = new int[Math.max(r - 1, 0)];
    int off = 0;
    for (int row = 0; row < rows; row++) {
      int o = row * inner;
      if (innerStride == 1) {
        System.arraycopy(src, off, dst, o, inner);
      } else {
        for (int i = 0, s = off; i < inner; i++, s += innerStride) {
          dst[o + i] = src[s];
        }
      }
      for (int d = r - 2; d >= 0; d--) {
        off += strides[d];
        if (++idx[d] < out[d]) {
          break;
        }
        off -= strides[d] * out[d];
        idx[d] = 0;
      }
    }
    return dst;
  }
}
