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
   * few output channels, a spatial kernel (1x1 needs no im2col, and many output channels are better
   * served by the GEMM: measured on SqueezeNet's 13x13 and 27x27 layers) and short dot products:
   * with c * kh * kw above 64 the GEMM's 24 accumulators win (mnist-8's second convolution, 8 x 5 x
   * 5: 25 us direct, 20 us GEMM).
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
    return g.out()[1] <= 2 * L && channels * kernel[0] * kernel[1] <= 64;
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
    // padded input, with room after the last row for the last vector's overreach and for the
    // unused rows of a last block of rows
    float[] xp = new float[c * hp * wp + (ROWS - 1) * wp + 2 * L];
    for (int ci = 0; ci < c; ci++) {
      for (int iy = 0; iy < h; iy++) {
        System.arraycopy(x, xOff + (ci * h + iy) * w, xp, (ci * hp + iy + ph) * wp + pw, w);
      }
    }
    long work = (long) m * oh * ow * c * kh * kw;
    int pairs = (m + 1) / 2;
    ctx.parallelFor(
        pairs,
        work < (1 << 18) ? pairs : 1,
        (q0, q1) -> {
          float[] row = new float[2 * L];
          for (int q = q0; q < q1; q++) {
            // output channels 2q and 2q + 1 (for odd m the last pair computes its one channel
            // twice)
            int o0 = 2 * q;
            int o1 = Math.min(m - 1, o0 + 1);
            pair(xp, c, hp, wp, wt, o0, o1, g, ow > L, y, yOff, row);
          }
        });
  }

  /** Output rows per block for rows of one vector (two vectors: half as many). */
  private static final int ROWS = 4;

  /**
   * Output channels o0 and o1, eight independent accumulators (an FMA's latency times the two FMA
   * ports), each input load feeding both channels: four rows at a time for rows of at most one
   * vector, or two rows of two vectors when {@code wide}. The four loads of a block sit at src + kx
   * + {0, d1, d2, d3}: rows 0-3, or row 0 / row 0's second vector / row 1 / its second vector.
   */
  private static void pair(
      float[] xp,
      int c,
      int hp,
      int wp,
      float[] wt,
      int o0,
      int o1,
      ConvGeometry g,
      boolean wide,
      float[] y,
      int yOff,
      float[] row) {
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int oh = g.out()[0];
    int ow = g.out()[1];
    int kSize = c * kh * kw;
    int d1 = wide ? L : wp;
    int d2 = wide ? wp : 2 * wp;
    int d3 = wide ? wp + L : 3 * wp;
    // a wide row's last L values from its two vectors: lane i takes value ow - L + i
    FloatVector last = wide ? IOTA.add((float) (ow - L)) : null;
    for (int oy = 0; oy < oh; oy += wide ? ROWS / 2 : ROWS) {
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      FloatVector b0 = a0;
      FloatVector b1 = a0;
      FloatVector b2 = a0;
      FloatVector b3 = a0;
      for (int ci = 0; ci < c; ci++) {
        for (int ky = 0; ky < kh; ky++) {
          int src = (ci * hp + oy + ky) * wp;
          int wk = (ci * kh + ky) * kw;
          for (int kx = 0; kx < kw; kx++) {
            FloatVector u = FloatVector.broadcast(S, wt[o0 * kSize + wk + kx]);
            FloatVector v = FloatVector.broadcast(S, wt[o1 * kSize + wk + kx]);
            FloatVector x0 = FloatVector.fromArray(S, xp, src + kx);
            FloatVector x1 = FloatVector.fromArray(S, xp, src + kx + d1);
            FloatVector x2 = FloatVector.fromArray(S, xp, src + kx + d2);
            FloatVector x3 = FloatVector.fromArray(S, xp, src + kx + d3);
            a0 = u.fma(x0, a0);
            a1 = u.fma(x1, a1);
            a2 = u.fma(x2, a2);
            a3 = u.fma(x3, a3);
            b0 = v.fma(x0, b0);
            b1 = v.fma(x1, b1);
            b2 = v.fma(x2, b2);
            b3 = v.fma(x3, b3);
          }
        }
      }
      if (wide) {
        storeWide(a0, a1, last, y, yOff, o0, oy, oh, ow);
        storeWide(a2, a3, last, y, yOff, o0, oy + 1, oh, ow);
        storeWide(b0, b1, last, y, yOff, o1, oy, oh, ow);
        storeWide(b2, b3, last, y, yOff, o1, oy + 1, oh, ow);
      } else {
        store(a0, row, y, yOff, o0, oy, oh, ow);
        store(a1, row, y, yOff, o0, oy + 1, oh, ow);
        store(a2, row, y, yOff, o0, oy + 2, oh, ow);
        store(a3, row, y, yOff, o0, oy + 3, oh, ow);
        store(b0, row, y, yOff, o1, oy, oh, ow);
        store(b1, row, y, yOff, o1, oy + 1, oh, ow);
        store(b2, row, y, yOff, o1, oy + 2, oh, ow);
        store(b3, row, y, yOff, o1, oy + 3, oh, ow);
      }
    }
  }

  /** Output row oy of channel oc, of at most one vector (rows past the last are dropped). */
  private static void store(
      FloatVector v, float[] row, float[] y, int yOff, int oc, int oy, int oh, int ow) {
    if (oy >= oh) {
      return;
    }
    v.intoArray(row, 0);
    System.arraycopy(row, 0, y, yOff + (oc * oh + oy) * ow, ow);
  }

  /** The lane indexes 0, 1, ..., L - 1. */
  private static final FloatVector IOTA = FloatVector.zero(S).addIndex(1);

  /**
   * Output row oy of channel oc, L &lt; ow &lt;= 2L values in two vectors, stored as its first L
   * values and its last L (those in between twice, the same): through a scratch row and a copy, the
   * stores took a tenth of mnist-8's run.
   */
  private static void storeWide(
      FloatVector lo,
      FloatVector hi,
      FloatVector last,
      float[] y,
      int yOff,
      int oc,
      int oy,
      int oh,
      int ow) {
    if (oy >= oh) {
      return;
    }
    int at = yOff + (oc * oh + oy) * ow;
    lo.intoArray(y, at);
    last.selectFrom(lo, hi).intoArray(y, at + ow - L);
  }
}
