package dev.octet.runtime.ops.nn;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;

/**
 * Convolution patches written straight into the packed right-hand GEMM operand: B[(c, kernel
 * offset)][output position], out-of-bounds (padding) reads 0. One pass, no intermediate matrix. Any
 * number of spatial dimensions; the panels are filled in parallel.
 */
public final class Im2Col {
  private Im2Col() {}

  /**
   * The patches of one image and group; a 1x1 conv (stride 1, no padding) packs the input itself,
   * which is already its patch matrix.
   */
  public static PackedB pack(
      float[] x, int xOff, int channels, int[] in, ConvGeometry g, ExecContext ctx) {
    if (g.isPointwise()) {
      int size = g.outSize();
      return PackedB.pack(
          x, xOff, size, channels, size, false, ctx.floats(PackedB.size(channels, size)));
    }
    if (in.length == 2) {
      return pack2d(x, xOff, channels, in[0], in[1], g, ctx);
    }
    int n = in.length;
    int kSize = g.kernelSize();
    int k = channels * kSize;
    int outSize = g.outSize();
    PackedB b = PackedB.allocate(k, outSize);
    float[] data = b.data();
    int nr = Sgemm.NR;
    int inSize = 1;
    for (int v : in) {
      inSize *= v;
    }
    int[] inStrides = new int[n];
    for (int i = n - 1, acc = 1; i >= 0; i--) {
      inStrides[i] = acc;
      acc *= in[i];
    }
    // per kernel offset: its displacement along each dimension
    int[][] kOff = new int[kSize][n];
    int[] kIdx = new int[n];
    for (int kk = 0; kk < kSize; kk++) {
      for (int d = 0; d < n; d++) {
        kOff[kk][d] = kIdx[d] * g.dilations()[d];
      }
      for (int d = n - 1; d >= 0 && ++kIdx[d] == g.kernel()[d]; d--) {
        kIdx[d] = 0;
      }
    }
    int total = inSize;
    ctx.parallelFor(
        b.panels(),
        1,
        (p0, p1) -> {
          int[][] start = new int[nr][n];
          int[] pos = new int[n];
          for (int p = p0; p < p1; p++) {
            int j0 = p * nr;
            int cols = Math.min(nr, outSize - j0);
            // origin of each output position's window (padding subtracted)
            for (int j = 0; j < cols; j++) {
              int o = j0 + j;
              for (int d = n - 1; d >= 0; d--) {
                pos[d] = o % g.out()[d];
                o /= g.out()[d];
              }
              for (int d = 0; d < n; d++) {
                start[j][d] = pos[d] * g.strides()[d] - g.padBegin()[d];
              }
            }
            int base = p * k * nr;
            for (int c = 0; c < channels; c++) {
              int cBase = xOff + c * total;
              for (int kk = 0; kk < kSize; kk++) {
                int row = base + (c * kSize + kk) * nr;
                int[] ko = kOff[kk];
                for (int j = 0; j < cols; j++) {
                  int off = cBase;
                  boolean inside = true;
                  for (int d = 0; d < n; d++) {
                    int q = start[j][d] + ko[d];
                    if (q < 0 || q >= in[d]) {
                      inside = false;
                      break;
                    }
                    off += q * inStrides[d];
                  }
                  data[row + j] = inside ? x[off] : 0f;
                }
              }
            }
          }
        });
    return b;
  }

  /**
   * The 2-D case. A panel's output positions form a few runs along output rows; for each run and
   * kernel offset the valid range of ox is computed once, so the inner loop is a strided copy.
   */
  private static PackedB pack2d(
      float[] x, int xOff, int channels, int h, int w, ConvGeometry g, ExecContext ctx) {
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int k = channels * kh * kw;
    int oh = g.out()[0];
    int ow = g.out()[1];
    int outSize = oh * ow;
    PackedB b = PackedB.wrap(ctx.floats(PackedB.size(k, outSize)), k, outSize);
    float[] data = b.data();
    int nr = Sgemm.NR;
    int sh = g.strides()[0];
    int sw = g.strides()[1];
    int dh = g.dilations()[0];
    int dw = g.dilations()[1];
    int ph = g.padBegin()[0];
    int pw = g.padBegin()[1];
    ctx.parallelFor(
        b.panels(),
        4,
        (p0, p1) -> {
          for (int p = p0; p < p1; p++) {
            int j0 = p * nr;
            int end = Math.min(outSize, j0 + nr);
            int base = p * k * nr;
            // runs of consecutive output positions on one output row
            for (int o = j0; o < end; ) {
              int oy = o / ow;
              int ox0 = o % ow;
              int len = Math.min(end - o, ow - ox0);
              int jo = o - j0;
              int row = base;
              for (int c = 0; c < channels; c++) {
                int cBase = xOff + c * h * w;
                for (int ky = 0; ky < kh; ky++) {
                  int iy = oy * sh - ph + ky * dh;
                  boolean rowIn = iy >= 0 && iy < h;
                  for (int kx = 0; kx < kw; kx++, row += nr) {
                    int dst = row + jo;
                    if (!rowIn) {
                      java.util.Arrays.fill(data, dst, dst + len, 0f);
                      continue;
                    }
                    // ix = (ox0 + t) * sw - pw + kx * dw must lie in [0, w): t in [lo, hi)
                    int ix0 = ox0 * sw - pw + kx * dw;
                    int lo = ix0 >= 0 ? 0 : Math.min(len, (-ix0 + sw - 1) / sw);
                    int hi = ix0 >= w ? 0 : Math.max(lo, Math.min(len, (w - ix0 + sw - 1) / sw));
                    java.util.Arrays.fill(data, dst, dst + lo, 0f);
                    int src = cBase + iy * w + ix0;
                    for (int t = lo; t < hi; t++) {
                      data[dst + t] = x[src + t * sw];
                    }
                    java.util.Arrays.fill(data, dst + hi, dst + len, 0f);
                  }
                }
              }
              o += len;
            }
          }
        });
    return b;
  }
}
