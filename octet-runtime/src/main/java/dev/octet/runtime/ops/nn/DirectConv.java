package dev.octet.runtime.ops.nn;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct 2-D convolution for small images (output rows of at most two vectors), stride and dilation
 * 1, one group: each output row is a sum of shifted input rows, y[oc][oy][:] += w[oc][c] [ky][kx] *
 * xpad[c][oy + ky][kx : kx + ow], with the padded input copied once. im2col would copy the input kh
 * * kw times in short runs, which dominates tiny convolutions (mnist-8); here each multiply-add
 * reads the input straight from L1.
 */
final class DirectConv {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  private DirectConv() {}

  /**
   * Whether the direct form applies: SIMD on, 2-D, stride and dilation 1, one group, small rows,
   * few output channels and a spatial kernel (1x1 needs no im2col, and many output channels are
   * better served by the GEMM: measured on SqueezeNet's 13x13 and 27x27 layers).
   */
  static boolean applies(ConvGeometry g, int groups, int channels, int outChannels, int[] kernel) {
    if (!Simd.ENABLED || kernel.length != 2 || groups != 1 || outChannels > 64) {
      return false;
    }
    if (kernel[0] * kernel[1] == 1) {
      return false;
    }
    for (int d = 0; d < 2; d++) {
      if (g.strides()[d] != 1 || g.dilations()[d] != 1) {
        return false;
      }
    }
    return g.out()[1] <= 2 * L && channels * kernel[0] * kernel[1] <= 256;
  }

  /**
   * y[oc][oy][ox] for one image: x is [c][h][w] at xOff, w is [m][c][kh][kw], y is [m][oh][ow] at
   * yOff (overwritten).
   */
  static void run(
      float[] x,
      int xOff,
      int c,
      int h,
      int w,
      float[] wt,
      int m,
      ConvGeometry g,
      float[] y,
      int yOff,
      ExecContext ctx) {
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int oh = g.out()[0];
    int ow = g.out()[1];
    int ph = g.padBegin()[0];
    int pw = g.padBegin()[1];
    int hp = Math.max(h + ph + g.padEnd()[0], oh + kh - 1);
    int wp = Math.max(w + pw + g.padEnd()[1], ow + kw - 1);
    // padded input, with room after the last row for the second vector's overreach and for the
    // unused second row of an odd last pair
    float[] xp = new float[c * hp * wp + wp + 2 * L];
    for (int ci = 0; ci < c; ci++) {
      for (int iy = 0; iy < h; iy++) {
        System.arraycopy(x, xOff + (ci * h + iy) * w, xp, (ci * hp + iy + ph) * wp + pw, w);
      }
    }
    boolean two = ow > L;
    long work = (long) m * oh * ow * c * kh * kw;
    ctx.parallelFor(
        m, work < (1 << 18) ? m : 1, (o0, o1) -> rows(xp, c, hp, wp, wt, o0, o1, g, two, y, yOff));
  }

  /** Output channels [o0, o1): each row of ow values in one or two vector accumulators. */
  private static void rows(
      float[] xp,
      int c,
      int hp,
      int wp,
      float[] wt,
      int o0,
      int o1,
      ConvGeometry g,
      boolean two,
      float[] y,
      int yOff) {
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int oh = g.out()[0];
    int ow = g.out()[1];
    float[] row = new float[2 * L];
    for (int oc = o0; oc < o1; oc++) {
      int wBase = oc * c * kh * kw;
      // two output rows at a time: one weight broadcast feeds both (for odd oh the last pair's
      // second row is computed and dropped)
      for (int oy = 0; oy < oh; oy += 2) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        for (int ci = 0; ci < c; ci++) {
          for (int ky = 0; ky < kh; ky++) {
            int src = (ci * hp + oy + ky) * wp;
            int wk = wBase + (ci * kh + ky) * kw;
            for (int kx = 0; kx < kw; kx++) {
              FloatVector wv = FloatVector.broadcast(S, wt[wk + kx]);
              a0 = wv.fma(FloatVector.fromArray(S, xp, src + kx), a0);
              b0 = wv.fma(FloatVector.fromArray(S, xp, src + wp + kx), b0);
              if (two) {
                a1 = wv.fma(FloatVector.fromArray(S, xp, src + kx + L), a1);
                b1 = wv.fma(FloatVector.fromArray(S, xp, src + wp + kx + L), b1);
              }
            }
          }
        }
        a0.intoArray(row, 0);
        a1.intoArray(row, L);
        System.arraycopy(row, 0, y, yOff + (oc * oh + oy) * ow, ow);
        if (oy + 1 < oh) {
          b0.intoArray(row, 0);
          b1.intoArray(row, L);
          System.arraycopy(row, 0, y, yOff + (oc * oh + oy + 1) * ow, ow);
        }
      }
    }
  }
}
