package dev.octet.runtime.ops.shape;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.BlockTranspose;
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
   * float32 without an index array, output rows spread over the threads. When the last axis stays
   * last, the innermost rows are contiguous in the source and copied whole; when the source's
   * contiguous axis becomes the second-to-last (a matrix transpose per leading index, as
   * attention's K^T), 16 x C blocks are transposed at a time so that reads are 16 contiguous floats
   * and writes 16 sequential rows; otherwise values are copied one by one.
   */
  static float[] transposeFloats(float[] src, int[] out, int[] strides, ExecContext ctx) {
    int r = out.length;
    int n = Tensor.elementCount(out);
    float[] dst = ctx.floats(n);
    if (n == 0) {
      return dst;
    }
    int inner = r == 0 ? 1 : out[r - 1];
    int innerStride = r == 0 ? 1 : strides[r - 1];
    if (r >= 2 && innerStride != 1 && strides[r - 2] == 1 && out[r - 2] >= BLOCK) {
      int matrices = n / (inner * out[r - 2]);
      ctx.parallelFor(
          matrices,
          Math.max(1, (1 << 17) / (inner * out[r - 2])),
          (m0, m1) -> matrices(src, dst, out, strides, m0, m1));
      return dst;
    }
    ctx.parallelFor(
        n / inner,
        Math.max(1, (1 << 17) / inner),
        (r0, r1) -> rows(src, dst, out, strides, r0, r1));
    return dst;
  }

  private static final int BLOCK = BlockTranspose.B;

  /** Output rows [r0, r1) (of the last axis). */
  private static void rows(float[] src, float[] dst, int[] out, int[] strides, int r0, int r1) {
    int r = out.length;
    int inner = r == 0 ? 1 : out[r - 1];
    int innerStride = r == 0 ? 1 : strides[r - 1];
    int[] idx = new int[Math.max(r - 1, 0)];
    int off = 0;
    for (int d = r - 2, rest = r0; d >= 0; d--) {
      idx[d] = rest % out[d];
      off += idx[d] * strides[d];
      rest /= out[d];
    }
    for (int row = r0; row < r1; row++) {
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
  }

  /**
   * Output matrices [m0, m1) over the last two axes, whose source is column-major (row stride 1,
   * column stride {@code strides[r - 1]}).
   */
  private static void matrices(float[] src, float[] dst, int[] out, int[] strides, int m0, int m1) {
    int r = out.length;
    int rowsPer = out[r - 2];
    int cols = out[r - 1];
    int colStride = strides[r - 1];
    for (int mat = m0; mat < m1; mat++) {
      int base = 0;
      for (int d = r - 3, rest = mat; d >= 0; d--) {
        base += (rest % out[d]) * strides[d];
        rest /= out[d];
      }
      int o = mat * rowsPer * cols;
      int i0 = 0;
      for (; i0 + BLOCK <= rowsPer; i0 += BLOCK) {
        int j = 0;
        if (BlockTranspose.ENABLED) {
          for (; j + BLOCK <= cols; j += BLOCK) {
            BlockTranspose.block(
                src, base + i0 + j * colStride, colStride, dst, o + i0 * cols + j, cols);
          }
        }
        for (int s = base + i0 + j * colStride; j < cols; j++, s += colStride) {
          for (int u = 0; u < BLOCK; u++) {
            dst[o + (i0 + u) * cols + j] = src[s + u];
          }
        }
      }
      for (; i0 < rowsPer; i0++) {
        for (int j = 0, s = base + i0; j < cols; j++, s += colStride) {
          dst[o + i0 * cols + j] = src[s];
        }
      }
    }
  }
}
