package dev.octet.runtime.ops.nn;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.VectorMath;

/**
 * 2-D convolution as a GEMM that reads the input in place ("implicit im2col"): with the input
 * zero-padded and, for strides above 1, split into stride phases, every row (c, ky, kx) of the
 * im2col matrix is one contiguous run of the prepared input, at an offset that depends only on (c,
 * ky, kx). The GEMM ({@code Sgemm.multiply} with row offsets) then reads those runs directly: no kh
 * * kw-fold copy of the input is written.
 *
 * <p>The price: output positions are computed on a grid {@code wq} wide (the phase width), so the
 * {@code wq - outW} columns at the end of each output row are computed and dropped (13% on a 13x13
 * layer with padding 1, none on a 1x1 layer). A 1x1 kernel with unit stride and no padding reads
 * the caller's input as is.
 *
 * <p>A stride-1 convolution whose output is as wide as its input (3x3 with padding 1: "same") has a
 * layout without that waste (used where it would be 5% or more), the <em>shifted</em> one: per
 * channel, one copy of the input for each kernel column kx, padded with zero rows only and read
 * {@code kx * dw - padLeft} columns off. On a row of width w a read that far off wraps into the
 * previous or next row; each copy has exactly the columns those reads land on set to zero. The GEMM
 * then computes oh * ow columns, straight into the dense output.
 */
public final class ImplicitConv {
  /**
   * The prepared input: per channel, {@code sh * sw} phase images of hq x wq (shifted: kw planes of
   * hq x wq between margins); {@code rows[k]} is where im2col row k (= (c * kh + ky) * kw + kx)
   * starts, relative to the group's first channel; output position (oy, ox) is GEMM column oy * wq
   * + ox, and n columns are computed.
   */
  public record Layout(
      int hq,
      int wq,
      int channelSize,
      int[] rows,
      int n,
      boolean copies,
      boolean shifted,
      ConvGeometry g) {}

  private ImplicitConv() {}

  /**
   * The last layout one kernel asked for, kept while its input's size stays the same (the kernel's
   * other attributes are fixed): a layout is immutable, so runs on several threads share it, and
   * its row table is not made again every run (SqueezeNet: a fifth of the bytes a run allocated).
   */
  public static final class LastLayout {
    private record Entry(int h, int w, int channels, boolean pooled, Layout layout) {}

    private volatile Entry last;

    /** {@link ImplicitConv#layout}'s answer, the kept one when the arguments are the same. */
    public Layout of(ConvGeometry g, int channels, int h, int w, boolean pooled) {
      Entry e = last;
      if (e == null
          || e.h() != h
          || e.w() != w
          || e.channels() != channels
          || e.pooled() != pooled) {
        e = new Entry(h, w, channels, pooled, layout(g, channels, h, w, pooled));
        last = e;
      }
      return e.layout();
    }
  }

  /**
   * The layout for an h x w input and {@code channels} channels per group, {@code pooled} when a
   * max pooling is fused (its rows go through a grid whatever the layout).
   */
  public static Layout layout(ConvGeometry g, int channels, int h, int w, boolean pooled) {
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int sh = g.strides()[0];
    int sw = g.strides()[1];
    int dh = g.dilations()[0];
    int dw = g.dilations()[1];
    int oh = g.out()[0];
    int ow = g.out()[1];
    // padded extent actually read
    int hp = (oh - 1) * sh + (kh - 1) * dh + 1;
    int wp = (ow - 1) * sw + (kw - 1) * dw + 1;
    boolean copies =
        sh != 1 || sw != 1 || g.padBegin()[0] != 0 || g.padBegin()[1] != 0 || hp != h || wp != w;
    // the shifted layout where it saves at least 5% of the columns, or 2.5% when it also saves
    // the grid and its compaction (no pooling): its kw copies of the input take kw times the
    // cache. SqueezeNet's 55-wide 3x3 layers (3.6% saved): 0.336 -> 0.295 ms without a pooling,
    // 3% slower with one (fire3)
    int saves = pooled ? 20 : 40;
    if (copies && sh == 1 && sw == 1 && ow == w && margin(g) < w && saves * (wp - ow) >= wp) {
      return shifted(g, channels, hp);
    }
    int hq = copies ? (hp + sh - 1) / sh : h;
    int wq = copies ? (wp + sw - 1) / sw : w;
    int plane = hq * wq;
    int channelSize = plane * sh * sw;
    int[] rows = new int[channels * kh * kw];
    for (int c = 0, k = 0; c < channels; c++) {
      for (int ky = 0; ky < kh; ky++) {
        int yy = ky * dh;
        for (int kx = 0; kx < kw; kx++, k++) {
          int xx = kx * dw;
          int phase = (yy % sh) * sw + xx % sw;
          rows[k] = c * channelSize + phase * plane + (yy / sh) * wq + xx / sw;
        }
      }
    }
    return new Layout(hq, wq, channelSize, rows, (oh - 1) * wq + ow, copies, false, g);
  }

  /**
   * The shifted layout (see the class comment) of hp padded rows: per channel, kw planes of {@code
   * margin + hp * w + margin} floats, plane kx read {@code kx * dw - padLeft} columns off.
   */
  private static Layout shifted(ConvGeometry g, int channels, int hp) {
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int w = g.out()[1];
    int margin = margin(g);
    int plane = hp * w + 2 * margin;
    int channelSize = kw * plane;
    int[] rows = new int[channels * kh * kw];
    for (int c = 0, k = 0; c < channels; c++) {
      for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++, k++) {
          int shift = kx * g.dilations()[1] - g.padBegin()[1];
          rows[k] = c * channelSize + kx * plane + margin + ky * g.dilations()[0] * w + shift;
        }
      }
    }
    return new Layout(hp, w, channelSize, rows, g.out()[0] * w, true, true, g);
  }

  /** The largest column shift of a shifted layout: its planes' zeros before and after. */
  private static int margin(ConvGeometry g) {
    int span = (g.kernel()[1] - 1) * g.dilations()[1];
    return Math.max(g.padBegin()[1], span - g.padBegin()[1]);
  }

  /**
   * Writes the prepared form of {@code channels} channels of one image (x[xOff + c*h*w + iy*w +
   * ix]) into dst: padding is zero, phase (py, px) holds padded positions (yq * sh + py, xq * sw +
   * px).
   */
  static void prepare(
      float[] x, int xOff, int channels, int h, int w, Layout l, float[] dst, ExecContext ctx) {
    if (l.shifted()) {
      prepareShifted(x, xOff, channels, h, w, l, dst, ctx);
      return;
    }
    ConvGeometry g = l.g();
    int sh = g.strides()[0];
    int sw = g.strides()[1];
    int ph = g.padBegin()[0];
    int pw = g.padBegin()[1];
    int hq = l.hq();
    int wq = l.wq();
    int phases = sh * sw;
    int plane = hq * wq;
    // in parallel over (channel, phase) planes: SqueezeNet's first layer has 3 channels of 4
    // phases, which split 2:1 over two threads when cut by channel
    ctx.parallelFor(
        channels * phases,
        Math.max(1, (1 << 15) / Math.max(1, plane)),
        (u0, u1) -> {
          for (int u = u0; u < u1; u++) {
            int c = u / phases;
            int py = u % phases / sw;
            int px = u % sw;
            int src = xOff + c * h * w;
            int base = c * l.channelSize() + (py * sw + px) * plane;
            // xq with 0 <= xq * sw + px - pw < w
            int lo = Math.min(wq, Math.max(0, ceilDiv(pw - px, sw)));
            int hi = Math.max(lo, Math.min(wq, ceilDiv(w + pw - px, sw)));
            int ix0 = px - pw;
            for (int yq = 0; yq < hq; yq++) {
              int iy = yq * sh + py - ph;
              int d = base + yq * wq;
              if (iy < 0 || iy >= h) {
                java.util.Arrays.fill(dst, d, d + wq, 0f);
                continue;
              }
              java.util.Arrays.fill(dst, d, d + lo, 0f);
              int s = src + iy * w + ix0;
              if (sw == 1) {
                System.arraycopy(x, s + lo, dst, d + lo, hi - lo);
              } else if (sw == 2) {
                VectorMath.everyOther(x, s + 2 * lo, hi - lo, dst, d + lo);
              } else {
                for (int xq = lo; xq < hi; xq++) {
                  dst[d + xq] = x[s + xq * sw];
                }
              }
              java.util.Arrays.fill(dst, d + hi, d + wq, 0f);
            }
          }
        });
  }

  /**
   * The shifted layout's planes: plane kx of channel c holds the input with the padding rows,
   * between two margins of zeros, and zeros in the columns that its shift wraps onto (the last
   * -shift columns for a negative shift, the first shift columns for a positive one).
   */
  private static void prepareShifted(
      float[] x, int xOff, int channels, int h, int w, Layout l, float[] dst, ExecContext ctx) {
    ConvGeometry g = l.g();
    int kw = g.kernel()[1];
    int ph = g.padBegin()[0];
    int margin = margin(g);
    int plane = l.channelSize() / kw;
    ctx.parallelFor(
        channels * kw,
        Math.max(1, (1 << 15) / plane),
        (u0, u1) -> {
          for (int u = u0; u < u1; u++) {
            int c = u / kw;
            int kx = u % kw;
            int shift = kx * g.dilations()[1] - g.padBegin()[1];
            int base = c * l.channelSize() + kx * plane;
            int src = xOff + c * h * w;
            // zeros, the rows above the image, the image's rows in one copy, the rows below it,
            // zeros (row by row, mnist-8's second layer: a sixth of its run)
            int top = Math.min(l.hq(), ph);
            int bottom = Math.max(top, Math.min(l.hq(), ph + h));
            int d = base + margin;
            java.util.Arrays.fill(dst, base, d + top * w, 0f);
            if (bottom > top) {
              System.arraycopy(x, src + (top - ph) * w, dst, d + top * w, (bottom - top) * w);
            }
            java.util.Arrays.fill(dst, d + bottom * w, base + plane, 0f);
            // the columns a read shifted this far wraps onto
            int zeroFrom = shift < 0 ? w + shift : 0;
            int zeroTo = shift < 0 ? w : shift;
            for (int r = top; r < bottom && zeroTo > zeroFrom; r++) {
              for (int j = d + r * w + zeroFrom, end = d + r * w + zeroTo; j < end; j++) {
                dst[j] = 0f;
              }
            }
          }
        });
  }

  /** Whether GEMM columns include dropped ones (wq > output width): {@link #run} needs a grid. */
  public static boolean compacts(Layout l) {
    return l.wq() != l.g().out()[1];
  }

  /**
   * How {@link #run} cuts the output rows: {@code step} output rows per chunk (rows of the
   * convolution, or of its pooling), {@code count} chunks, at most {@code convRows} rows of the
   * convolution per chunk, whose grid holds {@code size} elements; {@code parallel}: the chunks run
   * in parallel (each GEMM on one thread), else one after the other (each GEMM on all threads).
   */
  private record Chunks(int step, int count, int convRows, int size, boolean parallel) {}

  /**
   * A convolution that fits one chunk and whose GEMM would run on one thread (fewer than {@link
   * Sgemm#PARALLEL_MACS} multiply-adds) is cut into one chunk per thread from this many on.
   * mnist-8's two convolutions (8 x 25 x 784 and 16 x 200 x 196 multiply-adds, both max-pooled) in
   * two chunks each at two threads: the model ran in 0.048 ms instead of 0.069 (its one-thread
   * time) when the host gave the second core its share, and in 0.077-0.085 when it did not
   * (interleaved in one JVM, both orders); in {@code octet bench} against ONNX Runtime, 0.050 and
   * 0.068-0.070 in six runs, against 0.068-0.070 in three before. With 2^18 (the second one cut
   * alone) the model took 0.054 ms. Smaller convolutions were not measured.
   */
  private static final long SPLIT_MACS = 1 << 17;

  /**
   * Chunks whose grid of {@code channels} x convRows rows stays near 256 KB, so that it is
   * compacted (or pooled) from L2 instead of from memory; with several threads the chunks come in a
   * multiple of the thread count, of near-equal rows (55 rows as 17+17+17+4 kept one of two threads
   * idle a third of the time).
   */
  private static Chunks chunks(Layout l, ConvGeometry pool, int channels, int threads) {
    int oh = l.g().out()[0];
    int rows = pool == null ? oh : pool.out()[0];
    int budget = Math.max(1, (64 * 1024) / Math.max(1, channels * l.wq()));
    // a pooled output row needs a window of convolution rows, sh further on for each next row
    int window = pool == null ? 1 : (pool.kernel()[0] - 1) * pool.dilations()[0] + 1;
    int sh = pool == null ? 1 : pool.strides()[0];
    int step = Math.max(1, Math.min(rows, (budget - window) / sh + 1));
    int count = ceilDiv(rows, step);
    if (count > 1 && threads > 1) {
      count = ceilDiv(count, threads) * threads;
      step = ceilDiv(rows, count);
      count = ceilDiv(rows, step);
    }
    long macs = (long) channels * l.rows().length * l.n();
    boolean split =
        count == 1 && threads > 1 && rows >= 2 && macs >= SPLIT_MACS && macs < Sgemm.PARALLEL_MACS;
    if (split) {
      step = ceilDiv(rows, threads);
      count = ceilDiv(rows, step);
    }
    int convRows = Math.min(oh, (step - 1) * sh + window);
    int size = channels * ((convRows - 1) * l.wq() + l.g().out()[1]);
    return new Chunks(step, count, convRows, size, split || count >= 2 * threads);
  }

  /**
   * Elements of the grid that {@link #run} needs for {@code channels} output channels on {@code
   * threads} threads, with the max pooling {@code pool} fused (null for none): one chunk's worth
   * per row chunk, so that chunks can run in parallel.
   */
  public static int gridSize(Layout l, ConvGeometry pool, int channels, int threads) {
    Chunks c = chunks(l, pool, channels, threads);
    return Math.multiplyExact(c.count(), c.size());
  }

  /**
   * One group's GEMM: rows of {@code dst} from {@code dOff}, {@code ld} apart, for {@code n} GEMM
   * columns, reading the prepared input from {@code bOff} on through l.rows().
   *
   * @param <A> the output array type (float[] or int[])
   */
  @FunctionalInterface
  public interface GroupProduct<A> {
    void run(int group, float[] src, int bOff, int n, A dst, int dOff, int ld, ExecContext ctx);
  }

  /**
   * A whole convolution over x [batch][c][h][w]: each image prepared once (when the layout copies),
   * then {@code product} per group, straight into {@code out} (image n's channel o at {@code outOff
   * + n * outBatchStride + o * outSize}: [batch][m][outSize] when outOff is 0 and the stride m *
   * outSize, or a slice of a wider tensor), or into {@code grid} (when the layout {@link #compacts}
   * or there is pooling; {@link #gridSize} elements) and compacted from there. With {@code pool}
   * (the geometry of a max pooling over the convolution's output; float only) the output is the
   * pooled one: each chunk of rows is pooled from the grid, and the convolution's output is never
   * written out whole (the rows a chunk shares with the next are computed twice).
   *
   * @param <A> float[] or int[]: out and grid have the same type
   */
  public static <A> void run(
      float[] x,
      int batch,
      int c,
      int h,
      int w,
      Layout l,
      int groups,
      int mg,
      A out,
      int outOff,
      int outBatchStride,
      A grid,
      ConvGeometry pool,
      GroupProduct<A> product,
      ExecContext ctx) {
    int outSize = pool == null ? l.g().outSize() : pool.outSize();
    int cg = c / groups;
    float[] src = l.copies() ? ctx.floats(c * l.channelSize()) : x;
    for (int n = 0; n < batch; n++) {
      int base = n * c * h * w;
      if (l.copies()) {
        prepare(x, base, c, h, w, l, src, ctx);
        base = 0;
      }
      for (int gi = 0; gi < groups; gi++) {
        int bOff = base + gi * cg * l.channelSize();
        int o = outOff + n * outBatchStride + gi * mg * outSize;
        if (grid == null) {
          product.run(gi, src, bOff, l.n(), out, o, outSize, ctx);
          continue;
        }
        // a few output rows at a time, so that the grid is compacted while it is in cache. With
        // at least two chunks per thread, or a small GEMM cut into one per thread, the chunks run
        // in parallel, each a serial GEMM into its task's part of the grid; else one after the
        // other, each GEMM on all threads
        Chunks ch = chunks(l, pool, mg, ctx.threads());
        int rows = pool == null ? l.g().out()[0] : pool.out()[0];
        int group = gi;
        int from = bOff;
        float[] input = src;
        boolean overChunks = ch.parallel();
        ExecContext inner = overChunks ? ctx.serial() : ctx;
        ctx.parallelFor(
            ch.count(),
            overChunks ? 1 : ch.count(),
            (q0, q1) -> {
              for (int q = q0; q < q1; q++) {
                int r0 = q * ch.step();
                int r1 = Math.min(rows, r0 + ch.step());
                int y0 = pool == null ? r0 : Pool2d.firstRow(pool, r0);
                int y1 = pool == null ? r1 : Pool2d.endRow(pool, r1 - 1, l.g().out()[0]);
                int cols = (y1 - y0 - 1) * l.wq() + l.g().out()[1];
                // each task reuses one part of the grid (its first chunk's), which stays in L2
                int at = q0 * ch.size();
                product.run(group, input, from + y0 * l.wq(), cols, grid, at, cols, inner);
                // compacted or pooled by channels, on all threads when the chunks run one after
                // the other (SqueezeNet's fire5 pooled its two chunks on one thread: 1.25x at two)
                Pool2d.Source s =
                    pool == null
                        ? null
                        : new Pool2d.Source(
                            (float[]) grid, at, cols, l.wq(), y0, l.g().out()[0], l.g().out()[1]);
                inner.parallelFor(
                    mg,
                    Math.max(1, (1 << 13) / Math.max(1, (y1 - y0) * l.g().out()[1])),
                    (c0, c1) -> {
                      if (s == null) {
                        compact(grid, at, cols, l, y0, y1 - y0, c0, c1, out, o);
                      } else {
                        Pool2d.run(s, pool, true, false, c0, c1, r0, r1, (float[]) out, o, outSize);
                      }
                    });
              }
            });
      }
    }
    if (l.copies()) {
      ctx.recycle(src);
    }
  }

  /**
   * Copies the GEMM result for output rows [y0, y0 + rows) of output channels [c0, c1) (rows of
   * {@code ld} columns on the wq grid, float[] or int[]) into the dense output of the same type
   * (channels of oh * ow).
   */
  private static void compact(
      Object gemm,
      int gemmOff,
      int ld,
      Layout l,
      int y0,
      int rows,
      int c0,
      int c1,
      Object out,
      int outOff) {
    int oh = l.g().out()[0];
    int ow = l.g().out()[1];
    for (int c = c0; c < c1; c++) {
      for (int y = 0; y < rows; y++) {
        System.arraycopy(
            gemm, gemmOff + c * ld + y * l.wq(), out, outOff + (c * oh + y0 + y) * ow, ow);
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return Math.floorDiv(a + b - 1, b);
  }
}
