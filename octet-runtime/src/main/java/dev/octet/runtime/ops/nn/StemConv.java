package dev.octet.runtime.ops.nn;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.BlockTranspose;
import dev.octet.runtime.simd.Prefetch;
import dev.octet.runtime.simd.Simd;
import dev.octet.runtime.simd.VectorMath;
import dev.octet.runtime.simd.WindowMax;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A network's first convolution followed by a max pooling (an image of a few channels in, 64 or
 * more out: SqueezeNet's and ResNet's stems), with the output channels in the vectors, as ONNX
 * Runtime's NCHW-to-NCHWc kernel has them: a tile is 5 output positions x 64 output channels (20
 * accumulators: with 24, C2 spilled three of them); per kernel offset it loads 4 vectors of weights
 * and broadcasts 5 input values. With 16 vector registers (AVX2) a tile is 5 positions x 2 vectors
 * ({@link #tile2}; SqueezeNet's stem on a Zen 1 EPYC: 3.25-3.47 -> 2.66-2.93 ms).
 *
 * <p>The GEMM form puts positions in the vectors and weights in the broadcasts; with K = C * kh *
 * kw as small as 27 its tiles are mostly set-up and stores, its stores go to a grid larger than L1,
 * and its pooling works on single floats. Here each convolution row goes to a ring of rows as
 * [position][channel] and is computed once; the pooling takes the maximum of whole channel vectors
 * (the window's rows first, then its columns), then Relu (which commutes with the maximum, on a
 * quarter of the values), and only the pooled row is written out, turned into [channel][position]
 * by 16 x 16 block transposes in registers. Without a pooling that turn would move four times as
 * much and cost more than it saves (VGG-19's first layer, turned by gathers: 3.8 -> 4.1 ms), so the
 * GEMM keeps those.
 */
final class StemConv {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  /**
   * Whether a tile is two vectors of channels instead of four ({@link #tile2}): CPUs with 16 vector
   * registers, where 20 accumulators spill.
   */
  private static final boolean NARROW = Simd.REGISTERS < 32;

  /** Output channels per tile: four vectors (two with 16 vector registers). */
  static final int CB = (NARROW ? 2 : 4) * L;

  /** Output positions per tile. */
  static final int PX = 5;

  private StemConv() {}

  /**
   * W [M][C][kh][kw] as w[k * M + o] (k = (c * kh + ky) * kw + kx), the gather offsets of a
   * [position][M] row (lane i reads position i), and W as blocks[(o / CB * K + k) * CB + o % CB]
   * for the 16-register tiles (null with 32 registers).
   */
  record Weights(float[] w, int m, int[] lanes, float[] blocks) {}

  /**
   * A pointwise convolution applied to each pooled row before it is written out ({@link
   * ConvChainKernel}): W [n][k][1][1] as w[kk * n + o], its bias (zeros when it has none), whether
   * Relu follows, and the gather offsets of a [position][n] row.
   */
  record Pointwise(float[] w, float[] bias, int n, boolean relu, int[] lanes) {
    /** The pointwise convolution with weight W [n][k][1][1] and bias b (or null). */
    static Pointwise of(Tensor w, Tensor b, boolean relu) {
      int n = w.dim(0);
      float[] bias = b == null ? new float[n] : b.floats().clone();
      return new Pointwise(outputsInner(w), bias, n, relu, gatherLanes(n));
    }

    /** Whether a pointwise convolution of n output channels suits {@link #pointwise}. */
    static boolean suits(int n) {
      return Simd.ENABLED && n % L == 0 && n % BlockTranspose.B == 0;
    }

    int k() {
      return w.length / n;
    }
  }

  /**
   * Whether the stem form suits a Conv with weight W: SIMD on, 2-D, one group, at most 4 input
   * channels and 256 values per dot product, and output channels in whole tiles.
   */
  static boolean suits(Attributes attrs, Tensor w) {
    return Simd.ENABLED
        && w.rank() == 4
        && attrs.getInt("group", 1) == 1
        && w.dim(0) % CB == 0
        && w.dim(1) <= 4
        && w.size() / w.dim(0) <= 256;
  }

  /** W rearranged for {@link #run}. */
  static Weights pack(Tensor w) {
    int m = w.dim(0);
    int k = w.size() / m;
    float[] dst = outputsInner(w);
    int[] lanes = gatherLanes(m);
    // [m / CB][k][CB]: a tile's weights at an offset linear in the kernel offset, so that C2
    // drops the bounds checks of its loads (with w[k * m + o], two per kernel offset); only the
    // 16-register tiles read them
    float[] blocks = NARROW ? new float[k * m] : null;
    for (int b = 0; NARROW && b < m / CB; b++) {
      for (int kk = 0; kk < k; kk++) {
        System.arraycopy(dst, kk * m + b * CB, blocks, (b * k + kk) * CB, CB);
      }
    }
    return new Weights(dst, m, lanes, blocks);
  }

  /** W [m][k...] as w[kk * m + o]: the output channels innermost, a vector of them per load. */
  private static float[] outputsInner(Tensor w) {
    int m = w.dim(0);
    int k = w.size() / m;
    float[] src = w.floats();
    float[] dst = new float[k * m];
    for (int o = 0; o < m; o++) {
      for (int kk = 0; kk < k; kk++) {
        dst[kk * m + o] = src[o * k + kk];
      }
    }
    return dst;
  }

  /** The gather offsets of L positions of a [position][m] row: lane i reads position i. */
  private static int[] gatherLanes(int m) {
    int[] lanes = new int[L];
    for (int i = 0; i < L; i++) {
      lanes[i] = i * m;
    }
    return lanes;
  }

  /** Whether the convolution's output is wide enough for a tile (else the GEMM takes it). */
  static boolean fits(ConvGeometry g) {
    return g.out()[1] >= PX;
  }

  /**
   * One image x [c][h][w] at xOff, convolved (plus the bias), max-pooled by {@code pool}, then
   * Relu'd when asked, into output channel o at {@code out[outOff + o * plane]}, plane the pooled
   * output's size; with {@code then}, each pooled row is multiplied by its weights first (plus its
   * bias, then its Relu when asked), and its n channels are the output. A tile broadcasts input
   * values a stride apart, so the input is read where it is when the convolution has no pads
   * (SqueezeNet's), else from a zero-padded copy ({@link Input}); it is not split into stride
   * phases, as the GEMM needs it (splitting SqueezeNet's input took an eighth of this layer's
   * time). Each thread takes a block of pooled rows (the convolution rows two blocks share are
   * computed twice).
   */
  static void run(
      float[] x,
      int xOff,
      int c,
      int h,
      int w,
      ConvGeometry g,
      Weights wt,
      float[] bias,
      boolean relu,
      ConvGeometry pool,
      Pointwise then,
      float[] out,
      int outOff,
      ExecContext ctx) {
    Input in = Input.of(x, xOff, c, h, w, g, ctx);
    float[] b = bias == null ? new float[wt.m()] : bias;
    int rows = pool.out()[0];
    ctx.parallelFor(
        rows,
        Math.max(1, rows / ctx.threads()),
        (r0, r1) -> {
          in.prefetch(g, pool, r0, r1);
          Rows r = new Rows(in, g, wt, b, pool, then, ctx);
          r.pooled(relu, r0, r1, out, outOff);
          r.release(ctx);
        });
    if (in.copy()) {
      ctx.recycle(in.x());
    }
  }

  /**
   * The input as the tiles read it: convolution row oy, position ox, kernel offset k at {@code
   * x[from + oy * rowStep + ox * step + koff[k]]}.
   *
   * @param copy whether x is a zero-padded copy (from the context's buffers)
   */
  record Input(float[] x, int from, int rowStep, int step, int[] koff, boolean copy) {
    /**
     * Reads through, in order, the part of each input channel that pooled rows [r0, r1) need
     * ({@link Prefetch}): the tiles read nine rows of a few hundred floats at a time, too short for
     * the prefetcher, and the input is not in any cache when the layers after it have run
     * (SqueezeNet's stem: 0.626 ms in the model against 0.36 alone). A padded copy was just
     * written, so it is in cache already.
     */
    void prefetch(ConvGeometry g, ConvGeometry pool, int r0, int r1) {
      if (copy) {
        return;
      }
      // the convolution rows the pooled rows' windows read
      int first = Pool2d.firstRow(pool, r0);
      int last = Pool2d.endRow(pool, r1 - 1, g.out()[0]) - 1;
      int perChannel = g.kernel()[0] * g.kernel()[1];
      int width = (g.out()[1] - 1) * step + 1;
      for (int k = 0; k < koff.length; k += perChannel) {
        Prefetch.floats(
            x,
            from + first * rowStep + koff[k],
            from + last * rowStep + koff[k + perChannel - 1] + width);
      }
    }

    static Input of(float[] x, int xOff, int c, int h, int w, ConvGeometry g, ExecContext ctx) {
      int kh = g.kernel()[0];
      int kw = g.kernel()[1];
      int ph = g.padBegin()[0];
      int pw = g.padBegin()[1];
      // the padded extent the windows read
      int hp = (g.out()[0] - 1) * g.strides()[0] + (kh - 1) * g.dilations()[0] + 1;
      int wp = (g.out()[1] - 1) * g.strides()[1] + (kw - 1) * g.dilations()[1] + 1;
      boolean copy = ph != 0 || pw != 0 || hp > h || wp > w;
      float[] src = x;
      int from = xOff;
      int rowLength = w;
      int plane = h * w;
      if (copy) {
        rowLength = Math.max(wp, w + pw);
        int rows = Math.max(hp, h + ph);
        plane = rows * rowLength;
        src = ctx.floats(c * plane);
        Arrays.fill(src, 0, c * plane, 0f);
        for (int ch = 0; ch < c; ch++) {
          for (int y = 0; y < h; y++) {
            System.arraycopy(
                x, xOff + (ch * h + y) * w, src, ch * plane + (y + ph) * rowLength + pw, w);
          }
        }
        from = 0;
      }
      int[] koff = new int[c * kh * kw];
      for (int ch = 0, k = 0; ch < c; ch++) {
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            koff[k++] = ch * plane + ky * g.dilations()[0] * rowLength + kx * g.dilations()[1];
          }
        }
      }
      return new Input(src, from, g.strides()[0] * rowLength, g.strides()[1], koff, copy);
    }
  }

  /** One task's rows: its row buffers and the work on them. */
  private static final class Rows {
    private final Input in;
    private final ConvGeometry g;
    private final ConvGeometry pool;
    private final Weights wt;
    private final float[] bias;

    /** Floats of one convolution row as [position][channel]. */
    private final int rowSize;

    /**
     * Convolution rows, row r in slot r % slots, as many slots as a pooling window spans rows: a
     * window's rows are all there at once, and each row is computed once.
     */
    private final float[] ring;

    /** The row in each slot (-1: none yet). */
    private final int[] held;

    /** The maxima of a pooling window's rows, [position][channel]. */
    private final float[] columns;

    /** A pooled row as [position][channel]. */
    private final float[] pooledRow;

    /** The pointwise convolution applied to each pooled row, or null. */
    private final Pointwise then;

    /** A pooled row times {@link #then}'s weights, [position][then.n()] (null without then). */
    private final float[] thenRow;

    Rows(
        Input in,
        ConvGeometry g,
        Weights wt,
        float[] bias,
        ConvGeometry pool,
        Pointwise then,
        ExecContext ctx) {
      this.in = in;
      this.g = g;
      this.pool = pool;
      this.wt = wt;
      this.bias = bias;
      this.rowSize = g.out()[1] * wt.m();
      int slots = (pool.kernel()[0] - 1) * pool.dilations()[0] + 1;
      this.ring = ctx.floats(slots * rowSize);
      this.held = new int[slots];
      Arrays.fill(held, -1);
      this.columns = ctx.floats(rowSize);
      this.pooledRow = ctx.floats(pool.out()[1] * wt.m());
      this.then = then;
      this.thenRow = then == null ? null : ctx.floats(pool.out()[1] * then.n());
    }

    void release(ExecContext ctx) {
      ctx.recycle(ring);
      ctx.recycle(columns);
      ctx.recycle(pooledRow);
      if (thenRow != null) {
        ctx.recycle(thenRow);
      }
    }

    /** Pooled rows [r0, r1), then Relu when asked. */
    void pooled(boolean relu, int r0, int r1, float[] out, int outOff) {
      int m = wt.m();
      int oh = g.out()[0];
      int kh = pool.kernel()[0];
      int[] slot = new int[kh];
      for (int py = r0; py < r1; py++) {
        int rows = 0;
        for (int ky = 0; ky < kh; ky++) {
          int r = py * pool.strides()[0] - pool.padBegin()[0] + ky * pool.dilations()[0];
          if (r >= 0 && r < oh) {
            slot[rows++] = row(r);
          }
        }
        // the maxima of the window's rows (vectorised over the whole row)
        if (rows == held.length) {
          WindowMax.maxRows(ring, 0, rowSize, rowSize, rows, columns);
        } else {
          System.arraycopy(ring, slot[0], columns, 0, rowSize);
          for (int i = 1; i < rows; i++) {
            VectorMath.binary(
                columns, 0, 1, ring, slot[i], 1, columns, 0, rowSize, VectorMath.Binary.MAX);
          }
        }
        FloatVector zero = FloatVector.zero(S);
        for (int px = 0; px < pool.out()[1]; px++) {
          for (int v = 0; v < m; v += L) {
            FloatVector acc = window(px, v);
            (relu ? acc.blend(zero, acc.compare(VectorOperators.LE, zero)) : acc)
                .intoArray(pooledRow, px * m + v);
          }
        }
        int at = outOff + py * pool.out()[1];
        if (then == null) {
          scatter(pooledRow, m, wt.lanes(), pool.out()[1], out, at, pool.outSize());
        } else {
          pointwise(pooledRow, pool.out()[1], then, thenRow);
          scatter(thenRow, then.n(), then.lanes(), pool.out()[1], out, at, pool.outSize());
        }
      }
    }

    /** The maximum of pooled column px's window over {@link #columns}, channels [v, v + L). */
    private FloatVector window(int px, int v) {
      int m = wt.m();
      int ow = g.out()[1];
      int kw = pool.kernel()[1];
      int step = pool.dilations()[1] * m;
      int x0 = px * pool.strides()[1] - pool.padBegin()[1];
      if (x0 >= 0 && x0 + (kw - 1) * pool.dilations()[1] < ow) {
        // inside the row: no column checks
        int at = x0 * m + v;
        FloatVector acc = FloatVector.fromArray(S, columns, at);
        if (kw == 3) {
          // the common window unrolled: the loop's overhead cost as much as its maxima
          return WindowMax.max(
              WindowMax.max(acc, FloatVector.fromArray(S, columns, at + step)),
              FloatVector.fromArray(S, columns, at + 2 * step));
        }
        for (int kx = 1; kx < kw; kx++) {
          acc = WindowMax.max(acc, FloatVector.fromArray(S, columns, at + kx * step));
        }
        return acc;
      }
      FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      for (int kx = 0; kx < kw; kx++) {
        int col = x0 + kx * pool.dilations()[1];
        if (col >= 0 && col < ow) {
          acc = WindowMax.max(acc, FloatVector.fromArray(S, columns, col * m + v));
        }
      }
      return acc;
    }

    /** Where convolution row r is in the ring, computed if it is not there yet. */
    private int row(int r) {
      int s = r % held.length;
      if (held[s] != r) {
        convolve(r, s * rowSize);
        held[s] = r;
      }
      return s * rowSize;
    }

    /**
     * Convolution row oy into ring[at...] as [position][channel]. The last tile of a row whose
     * width is not a multiple of 5 overlaps the one before it (its first positions are computed
     * twice, the same way), so that no tile reads past the row.
     */
    private void convolve(int oy, int at) {
      int m = wt.m();
      int ow = g.out()[1];
      int xo = in.from() + oy * in.rowStep();
      int last = in.koff()[in.koff().length - 1];
      for (int cb = 0; cb < m; cb += CB) {
        for (int ox = 0; ox < ow; ox += PX) {
          int x0 = Math.min(ox, ow - PX);
          int xs = xo + x0 * in.step();
          if (NARROW) {
            int wb = cb * in.koff().length;
            int dOff = at + x0 * m + cb;
            if (in.step() == 2) {
              tile2Stride2(in.x(), xs, in.koff(), wt.blocks(), wb, cb, m, bias, ring, dOff);
            } else {
              tile2(in.x(), xs, in.step(), in.koff(), wt.blocks(), wb, cb, m, bias, ring, dOff);
            }
            continue;
          }
          tile(
              in.x(),
              xs,
              in.step(),
              in.koff(),
              // the 5 inputs of each kernel offset from one vector: stride 2, a vector's room
              in.step() == 2 && L == 16 && xs + last + L <= in.x().length,
              wt.w(),
              cb,
              m,
              bias,
              ring,
              at + x0 * m + cb);
        }
      }
    }

    /**
     * Positions [0, count) of a [position][m channels] row (lanes: i * m) into out[off + o * plane
     * + p]: L x L blocks transposed in registers, the last one overlapping (with 16- or 8-lane
     * vectors and at least L positions; else a gather of L positions per vector of one channel,
     * then single floats).
     */
    private static void scatter(
        float[] row, int m, int[] lanes, int count, float[] out, int off, int plane) {
      int p = 0;
      if (BlockTranspose.ENABLED && count >= BlockTranspose.B) {
        for (; p < count; p += BlockTranspose.B) {
          // the last block ends at count, overlapping the one before it (whose last positions it
          // writes again, the same values) instead of leaving them to single floats
          int q = Math.min(p, count - BlockTranspose.B);
          for (int o = 0; o < m; o += BlockTranspose.B) {
            BlockTranspose.block(row, q * m + o, m, out, off + o * plane + q, plane);
          }
        }
      }
      for (int o = 0; o < m; o++) {
        int q = p;
        for (; q + L <= count; q += L) {
          FloatVector.fromArray(S, row, q * m + o, lanes, 0).intoArray(out, off + o * plane + q);
        }
        for (; q < count; q++) {
          out[off + o * plane + q] = row[q * m + o];
        }
      }
    }
  }

  /** Positions of a row that {@link #pointwise} takes at once. */
  private static final int PW = 4;

  /**
   * dst [count][n] = row [count][k] x p's [k][n], from p's bias, then Relu when asked: blocks of 4
   * positions by 2 vectors of channels (1 where n is an odd count of vectors), the last block
   * overlapping the one before it; each accumulator starts at the bias and adds the k products in
   * order, as the GEMM's tiles do.
   */
  static void pointwise(float[] row, int count, Pointwise p, float[] dst) {
    int n = p.n();
    int k = p.k();
    float[] w = p.w();
    FloatVector zero = FloatVector.zero(S);
    if (count < PW) {
      for (int q = 0; q < count; q++) {
        for (int v = 0; v < n; v += L) {
          FloatVector acc = start(p.bias(), v, zero);
          for (int kk = 0; kk < k; kk++) {
            acc =
                FloatVector.broadcast(S, row[q * k + kk])
                    .fma(FloatVector.fromArray(S, w, kk * n + v), acc);
          }
          store(acc, p.relu(), zero, dst, q * n + v);
        }
      }
      return;
    }
    for (int q0 = 0; q0 < count; q0 += PW) {
      int q = Math.min(q0, count - PW);
      int r0 = q * k;
      int v = 0;
      for (; v + 2 * L <= n; v += 2 * L) {
        FloatVector b0 = start(p.bias(), v, zero);
        FloatVector b1 = start(p.bias(), v + L, zero);
        FloatVector a00 = b0, a01 = b1, a10 = b0, a11 = b1;
        FloatVector a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        for (int kk = 0; kk < k; kk++) {
          FloatVector w0 = FloatVector.fromArray(S, w, kk * n + v);
          FloatVector w1 = FloatVector.fromArray(S, w, kk * n + v + L);
          FloatVector x = FloatVector.broadcast(S, row[r0 + kk]);
          a00 = x.fma(w0, a00);
          a01 = x.fma(w1, a01);
          x = FloatVector.broadcast(S, row[r0 + k + kk]);
          a10 = x.fma(w0, a10);
          a11 = x.fma(w1, a11);
          x = FloatVector.broadcast(S, row[r0 + 2 * k + kk]);
          a20 = x.fma(w0, a20);
          a21 = x.fma(w1, a21);
          x = FloatVector.broadcast(S, row[r0 + 3 * k + kk]);
          a30 = x.fma(w0, a30);
          a31 = x.fma(w1, a31);
        }
        int d = q * n + v;
        store(a00, p.relu(), zero, dst, d);
        store(a01, p.relu(), zero, dst, d + L);
        store(a10, p.relu(), zero, dst, d + n);
        store(a11, p.relu(), zero, dst, d + n + L);
        store(a20, p.relu(), zero, dst, d + 2 * n);
        store(a21, p.relu(), zero, dst, d + 2 * n + L);
        store(a30, p.relu(), zero, dst, d + 3 * n);
        store(a31, p.relu(), zero, dst, d + 3 * n + L);
      }
      for (; v < n; v += L) {
        FloatVector a0 = start(p.bias(), v, zero);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int kk = 0; kk < k; kk++) {
          FloatVector w0 = FloatVector.fromArray(S, w, kk * n + v);
          a0 = FloatVector.broadcast(S, row[r0 + kk]).fma(w0, a0);
          a1 = FloatVector.broadcast(S, row[r0 + k + kk]).fma(w0, a1);
          a2 = FloatVector.broadcast(S, row[r0 + 2 * k + kk]).fma(w0, a2);
          a3 = FloatVector.broadcast(S, row[r0 + 3 * k + kk]).fma(w0, a3);
        }
        int d = q * n + v;
        store(a0, p.relu(), zero, dst, d);
        store(a1, p.relu(), zero, dst, d + n);
        store(a2, p.relu(), zero, dst, d + 2 * n);
        store(a3, p.relu(), zero, dst, d + 3 * n);
      }
    }
  }

  /** acc (Relu'd when asked, as the GEMM does: +0 where not above it) into dst at d. */
  private static void store(FloatVector acc, boolean relu, FloatVector zero, float[] dst, int d) {
    (relu ? acc.blend(zero, acc.compare(VectorOperators.LE, zero)) : acc).intoArray(dst, d);
  }

  /** The bias at v plus +0, as the GEMM's accumulators start (a -0 bias starts at +0). */
  private static FloatVector start(float[] bias, int v, FloatVector zero) {
    return FloatVector.fromArray(S, bias, v).add(zero);
  }

  /** See {@link Simd#ONE}: retypes a tile's accumulators after its loop. */
  private static final FloatVector ONE = Simd.ONE;

  /** Stands in for the vector load of a tile without {@code lanes}. */
  private static final FloatVector ZERO = FloatVector.zero(S);

  /** Every lane takes lane 0, 2, 4, 6 or 8: the inputs of a tile at stride 2, from one load. */
  private static final VectorShuffle<Float> LANE0 = VectorShuffle.fromOp(S, i -> 0);

  private static final VectorShuffle<Float> LANE2 = VectorShuffle.fromOp(S, i -> 2);
  private static final VectorShuffle<Float> LANE4 = VectorShuffle.fromOp(S, i -> 4);
  private static final VectorShuffle<Float> LANE6 = VectorShuffle.fromOp(S, i -> 6);
  private static final VectorShuffle<Float> LANE8 = VectorShuffle.fromOp(S, i -> 8);

  /**
   * One tile: positions [0, 5) (input at x[xo + koff[k] + p * step]; with {@code lanes}, step 2 and
   * 16-lane vectors, the five taken from one vector load per offset by lane shuffles: SqueezeNet's
   * stem 0.374-0.382 -> 0.350-0.374 ms against five scalar loads, each with its bounds check) by
   * channels [cb, cb + 64) (w[k * m + cb ...]), from the bias, stored at d[dOff + p * m + j].
   */
  private static void tile(
      float[] x,
      int xo,
      int step,
      int[] koff,
      boolean lanes,
      float[] w,
      int cb,
      int m,
      float[] bias,
      float[] d,
      int dOff) {
    FloatVector b0 = FloatVector.fromArray(S, bias, cb);
    FloatVector b1 = FloatVector.fromArray(S, bias, cb + L);
    FloatVector b2 = FloatVector.fromArray(S, bias, cb + 2 * L);
    FloatVector b3 = FloatVector.fromArray(S, bias, cb + 3 * L);
    FloatVector a00 = b0, a01 = b1, a02 = b2, a03 = b3;
    FloatVector a10 = b0, a11 = b1, a12 = b2, a13 = b3;
    FloatVector a20 = b0, a21 = b1, a22 = b2, a23 = b3;
    FloatVector a30 = b0, a31 = b1, a32 = b2, a33 = b3;
    FloatVector a40 = b0, a41 = b1, a42 = b2, a43 = b3;
    for (int kk = 0, wk = cb; kk < koff.length; kk++, wk += m) {
      int o = xo + koff[kk];
      FloatVector xv = lanes ? FloatVector.fromArray(S, x, o) : ZERO;
      FloatVector w0 = FloatVector.fromArray(S, w, wk);
      FloatVector w1 = FloatVector.fromArray(S, w, wk + L);
      FloatVector w2 = FloatVector.fromArray(S, w, wk + 2 * L);
      FloatVector w3 = FloatVector.fromArray(S, w, wk + 3 * L);
      FloatVector v;
      v = lanes ? xv.rearrange(LANE0) : FloatVector.broadcast(S, x[o]);
      a00 = v.fma(w0, a00);
      a01 = v.fma(w1, a01);
      a02 = v.fma(w2, a02);
      a03 = v.fma(w3, a03);
      v = lanes ? xv.rearrange(LANE2) : FloatVector.broadcast(S, x[o + 1 * step]);
      a10 = v.fma(w0, a10);
      a11 = v.fma(w1, a11);
      a12 = v.fma(w2, a12);
      a13 = v.fma(w3, a13);
      v = lanes ? xv.rearrange(LANE4) : FloatVector.broadcast(S, x[o + 2 * step]);
      a20 = v.fma(w0, a20);
      a21 = v.fma(w1, a21);
      a22 = v.fma(w2, a22);
      a23 = v.fma(w3, a23);
      v = lanes ? xv.rearrange(LANE6) : FloatVector.broadcast(S, x[o + 3 * step]);
      a30 = v.fma(w0, a30);
      a31 = v.fma(w1, a31);
      a32 = v.fma(w2, a32);
      a33 = v.fma(w3, a33);
      v = lanes ? xv.rearrange(LANE8) : FloatVector.broadcast(S, x[o + 4 * step]);
      a40 = v.fma(w0, a40);
      a41 = v.fma(w1, a41);
      a42 = v.fma(w2, a42);
      a43 = v.fma(w3, a43);
    }
    a00.intoArray(d, dOff);
    a01.intoArray(d, dOff + L);
    a02.intoArray(d, dOff + 2 * L);
    a03.intoArray(d, dOff + 3 * L);
    a10.intoArray(d, dOff + m);
    a11.intoArray(d, dOff + m + L);
    a12.intoArray(d, dOff + m + 2 * L);
    a13.intoArray(d, dOff + m + 3 * L);
    a20.intoArray(d, dOff + 2 * m);
    a21.intoArray(d, dOff + 2 * m + L);
    a22.intoArray(d, dOff + 2 * m + 2 * L);
    a23.intoArray(d, dOff + 2 * m + 3 * L);
    a30.intoArray(d, dOff + 3 * m);
    a31.intoArray(d, dOff + 3 * m + L);
    a32.intoArray(d, dOff + 3 * m + 2 * L);
    a33.intoArray(d, dOff + 3 * m + 3 * L);
    a40.intoArray(d, dOff + 4 * m);
    a41.intoArray(d, dOff + 4 * m + L);
    a42.intoArray(d, dOff + 4 * m + 2 * L);
    a43.intoArray(d, dOff + 4 * m + 3 * L);
  }

  /**
   * As {@link #tile} with channels [cb, cb + 2L) (10 accumulators, weights from {@link
   * Weights#blocks} at {@code wb}) and the five inputs broadcast one by one: for 16 vector
   * registers.
   */
  private static void tile2(
      float[] x,
      int xo,
      int step,
      int[] koff,
      float[] w,
      int wb,
      int cb,
      int m,
      float[] bias,
      float[] d,
      int dOff) {
    FloatVector b0 = FloatVector.fromArray(S, bias, cb);
    FloatVector b1 = FloatVector.fromArray(S, bias, cb + L);
    FloatVector a00 = b0, a01 = b1;
    FloatVector a10 = b0, a11 = b1;
    FloatVector a20 = b0, a21 = b1;
    FloatVector a30 = b0, a31 = b1;
    FloatVector a40 = b0, a41 = b1;
    for (int kk = 0; kk < koff.length; kk++) {
      int o = xo + koff[kk];
      FloatVector w0 = FloatVector.fromArray(S, w, wb + kk * CB);
      FloatVector w1 = FloatVector.fromArray(S, w, wb + kk * CB + L);
      FloatVector v = FloatVector.broadcast(S, x[o]);
      a00 = v.fma(w0, a00);
      a01 = v.fma(w1, a01);
      v = FloatVector.broadcast(S, x[o + 1 * step]);
      a10 = v.fma(w0, a10);
      a11 = v.fma(w1, a11);
      v = FloatVector.broadcast(S, x[o + 2 * step]);
      a20 = v.fma(w0, a20);
      a21 = v.fma(w1, a21);
      v = FloatVector.broadcast(S, x[o + 3 * step]);
      a30 = v.fma(w0, a30);
      a31 = v.fma(w1, a31);
      v = FloatVector.broadcast(S, x[o + 4 * step]);
      a40 = v.fma(w0, a40);
      a41 = v.fma(w1, a41);
    }
    a00.intoArray(d, dOff);
    a01.intoArray(d, dOff + L);
    a10.intoArray(d, dOff + m);
    a11.intoArray(d, dOff + m + L);
    a20.intoArray(d, dOff + 2 * m);
    a21.intoArray(d, dOff + 2 * m + L);
    a30.intoArray(d, dOff + 3 * m);
    a31.intoArray(d, dOff + 3 * m + L);
    a40.intoArray(d, dOff + 4 * m);
    a41.intoArray(d, dOff + 4 * m + L);
  }

  /**
   * {@link #tile2} at stride 2 (SqueezeNet's and ResNet's stems), the five inputs at constant
   * offsets from one index, so that C2 checks their bounds twice instead of five times; with the
   * weights of {@link Weights#blocks} (no checks) the tile on the Zen 1 EPYC went from 7.3% to 5.4%
   * of SqueezeNet's perf samples.
   */
  private static void tile2Stride2(
      float[] x,
      int xo,
      int[] koff,
      float[] w,
      int wb,
      int cb,
      int m,
      float[] bias,
      float[] d,
      int dOff) {
    FloatVector b0 = FloatVector.fromArray(S, bias, cb);
    FloatVector b1 = FloatVector.fromArray(S, bias, cb + L);
    FloatVector a00 = b0, a01 = b1;
    FloatVector a10 = b0, a11 = b1;
    FloatVector a20 = b0, a21 = b1;
    FloatVector a30 = b0, a31 = b1;
    FloatVector a40 = b0, a41 = b1;
    for (int kk = 0; kk < koff.length; kk++) {
      int o = xo + koff[kk];
      FloatVector w0 = FloatVector.fromArray(S, w, wb + kk * CB);
      FloatVector w1 = FloatVector.fromArray(S, w, wb + kk * CB + L);
      FloatVector v = FloatVector.broadcast(S, x[o]);
      a00 = v.fma(w0, a00);
      a01 = v.fma(w1, a01);
      v = FloatVector.broadcast(S, x[o + 2]);
      a10 = v.fma(w0, a10);
      a11 = v.fma(w1, a11);
      v = FloatVector.broadcast(S, x[o + 4]);
      a20 = v.fma(w0, a20);
      a21 = v.fma(w1, a21);
      v = FloatVector.broadcast(S, x[o + 6]);
      a30 = v.fma(w0, a30);
      a31 = v.fma(w1, a31);
      v = FloatVector.broadcast(S, x[o + 8]);
      a40 = v.fma(w0, a40);
      a41 = v.fma(w1, a41);
    }
    // retyped as in SgemmHalf.kernel4, so that the stores need no shared type profile
    a00 = ONE.mul(a00);
    a01 = ONE.mul(a01);
    a10 = ONE.mul(a10);
    a11 = ONE.mul(a11);
    a20 = ONE.mul(a20);
    a21 = ONE.mul(a21);
    a30 = ONE.mul(a30);
    a31 = ONE.mul(a31);
    a40 = ONE.mul(a40);
    a41 = ONE.mul(a41);
    a00.intoArray(d, dOff);
    a01.intoArray(d, dOff + L);
    a10.intoArray(d, dOff + m);
    a11.intoArray(d, dOff + m + L);
    a20.intoArray(d, dOff + 2 * m);
    a21.intoArray(d, dOff + 2 * m + L);
    a30.intoArray(d, dOff + 3 * m);
    a31.intoArray(d, dOff + 3 * m + L);
    a40.intoArray(d, dOff + 4 * m);
    a41.intoArray(d, dOff + 4 * m + L);
  }
}
