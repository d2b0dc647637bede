package dev.octet.runtime.ops.nn;

import dev.octet.runtime.simd.WindowMax;

/**
 * 2-D max and average pooling of planes held with any row and plane stride: a tensor's planes
 * ({@link PoolKernel}), or the rows of a convolution's output as its GEMM leaves them, a few rows
 * at a time (a convolution fused with the max pooling that reads it, see {@link ImplicitConv}).
 */
final class Pool2d {
  /**
   * Where the input is: row iy of plane p at {@code x[off + p * planeStride + (iy - firstRow) *
   * rowStride]}, planes h x w (rows before firstRow are not held, and not read).
   */
  record Source(float[] x, int off, int planeStride, int rowStride, int firstRow, int h, int w) {}

  private Pool2d() {}

  /** The first input row that output row oy reads. */
  static int firstRow(ConvGeometry g, int oy) {
    return Math.max(0, oy * g.strides()[0] - g.padBegin()[0]);
  }

  /** One past the last input row that output row oy reads, for an input of h rows. */
  static int endRow(ConvGeometry g, int oy, int h) {
    int last = oy * g.strides()[0] - g.padBegin()[0] + (g.kernel()[0] - 1) * g.dilations()[0];
    return Math.max(firstRow(g, oy), Math.min(h, last + 1));
  }

  /**
   * Output rows [oy0, oy1) of planes [p0, p1): row oy of plane p goes to {@code y[yOff + p *
   * yPlaneStride + oy * ow]}. Windows outside the input are skipped (max) or counted as the
   * attributes say (average, {@code includePad}).
   */
  static void run(
      Source src,
      ConvGeometry g,
      boolean max,
      boolean includePad,
      int p0,
      int p1,
      int oy0,
      int oy1,
      float[] y,
      int yOff,
      int yPlaneStride) {
    float[] x = src.x();
    int h = src.h();
    int w = src.w();
    int ld = src.rowStride();
    int ow = g.out()[1];
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int sh = g.strides()[0];
    int sw = g.strides()[1];
    int dh = g.dilations()[0];
    int dw = g.dilations()[1];
    int ph = g.padBegin()[0];
    int pw = g.padBegin()[1];
    int hEnd = h + g.padEnd()[0];
    int wEnd = w + g.padEnd()[1];
    boolean rowsFirst = max && dh == 1 && dw == 1;
    // the common 2 x 2 and 3 x 3 windows at stride 2, straight from their rows
    boolean strideTwo = rowsFirst && kh == kw && (kh == 2 || kh == 3) && sh == 2 && sw == 2;
    float[] columns = rowsFirst ? new float[WindowMax.padded(w)] : null;
    float[] picked = rowsFirst ? new float[WindowMax.padded(ow)] : null;
    // outputs [lo, hi) of a row whose windows lie inside the image horizontally
    int lo = Math.min(ow, (pw + sw - 1) / sw);
    int hi = Math.max(lo, Math.min(ow, w - kw + pw < 0 ? 0 : (w - kw + pw) / sw + 1));
    // output rows [in0, in1) whose windows lie inside the image vertically, for 3 x 3 windows at
    // stride 2: a block of rows at a time
    boolean threeByThree = strideTwo && kh == 3 && hi > lo;
    int in0 = Math.max(oy0, (ph + 1) / 2);
    int in1 = Math.min(oy1, h - 3 + ph < 0 ? 0 : (h - 3 + ph) / 2 + 1);
    float[] blockRows =
        threeByThree && in1 > in0 ? new float[WindowMax.stride2Scratch(hi - lo, in1 - in0)] : null;
    for (int p = p0; p < p1; p++) {
      int xb = src.off() + p * src.planeStride() - src.firstRow() * ld;
      int yb = yOff + p * yPlaneStride;
      if (blockRows != null) {
        int at = xb + (2 * in0 - ph) * ld + lo * 2 - pw;
        WindowMax.max3x3Stride2(
            x, at, ld, hi - lo, in1 - in0, y, yb + in0 * ow + lo, ow, blockRows);
      }
      for (int oy = oy0; oy < oy1; oy++) {
        int iy0 = oy * sh - ph;
        boolean rowInside = iy0 >= 0 && iy0 + (kh - 1) * dh < h;
        int from = ow;
        int to = ow;
        if (threeByThree && oy >= in0 && oy < in1) {
          from = lo;
          to = hi;
        } else if (strideTwo && kh == 2 && rowInside && hi > lo) {
          int at = xb + iy0 * ld + lo * 2 - pw;
          WindowMax.max2x2Stride2(x, at, ld, hi - lo, y, yb + oy * ow + lo, picked);
          from = lo;
          to = hi;
        } else if (rowsFirst && rowInside && hi > lo) {
          // max pooling, rows inside the image: the max of the kh rows first (vectorised over the
          // width), then the max of kw neighbouring column maxima every sw-th column (vectorised
          // for strides 1 and 2)
          WindowMax.maxRows(x, xb + iy0 * ld, ld, w, kh, columns);
          WindowMax.windowMax(columns, lo * sw - pw, kw, sw, hi - lo, picked);
          System.arraycopy(picked, 0, y, yb + oy * ow + lo, hi - lo);
          from = lo;
          to = hi;
        }
        for (int ox = 0; ox < ow; ox++) {
          int ix0 = ox * sw - pw;
          if (ox == from) {
            ox = to - 1;
            continue;
          }
          float acc = max ? Float.NEGATIVE_INFINITY : 0f;
          int count = 0;
          for (int ky = 0; ky < kh; ky++) {
            int iy = iy0 + ky * dh;
            if (iy < 0 || iy >= h) {
              continue;
            }
            int row = xb + iy * ld;
            for (int kx = 0; kx < kw; kx++) {
              int ix = ix0 + kx * dw;
              if (ix >= 0 && ix < w) {
                float v = x[row + ix];
                if (max) {
                  acc = WindowMax.max(acc, v);
                } else {
                  acc += v;
                  count++;
                }
              }
            }
          }
          if (!max) {
            int divisor = count;
            if (includePad) {
              int ry = 0;
              int rx = 0;
              for (int ky = 0; ky < kh; ky++) {
                int iy = iy0 + ky * dh;
                ry += iy >= -ph && iy < hEnd ? 1 : 0;
              }
              for (int kx = 0; kx < kw; kx++) {
                int ix = ix0 + kx * dw;
                rx += ix >= -pw && ix < wEnd ? 1 : 0;
              }
              divisor = ry * rx;
            }
            acc /= Math.max(1, divisor);
          }
          y[yb + oy * ow + ox] = acc;
        }
      }
    }
  }
}
