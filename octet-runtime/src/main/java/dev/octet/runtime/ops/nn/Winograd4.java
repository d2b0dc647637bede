package dev.octet.runtime.ops.nn;

import static dev.octet.runtime.simd.BlockTranspose.DOWN;
import static dev.octet.runtime.simd.BlockTranspose.HIGH_PAIR;
import static dev.octet.runtime.simd.BlockTranspose.ODD;
import static dev.octet.runtime.simd.BlockTranspose.SWAP_PAIRS;
import static dev.octet.runtime.simd.BlockTranspose.UP;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.MUL;
import static jdk.incubator.vector.VectorOperators.SUB;

import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.BlockTranspose;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.Simd;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 convolution by Winograd's F(4x4, 3x3) (Lavin and Gray, 2016): each 4x4 block of
 * output (a tile) comes from the 6x6 block of input under it as 36 products instead of 144, 1.78
 * times fewer multiply-adds than {@link Winograd}'s F(2x2, 3x3) and 4 times fewer than the direct
 * form. Same structure as that class: U = G g G^T once, per block of tiles V = B^T d B, 36 GEMMs
 * M_xi = U_xi V_xi on the packed SGEMM, then Y = A^T M A with the bias and Relu, written in place.
 * The interpolation points are 0, +-1, +-2 and infinity:
 *
 * <pre>
 * B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 * G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 * A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * </pre>
 *
 * <p>The larger constants (up to 8, and sixths) round more than F(2x2, 3x3)'s halves: within 1e-6
 * of the absolute sum of the terms on {@code ConvKernelTest}'s Gaussian data (the GEMM form: about
 * 1e-7), which holds every path to 1e-5 of it. Faster where it applies: {@link ConvKernel} takes it
 * with 16 vector registers.
 */
final class Winograd4 {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  /**
   * 128-bit vectors: the output rows' 4 x 4 transposes, with abstract methods and memory-segment
   * stores only (see {@link Simd}: a shared profile with two shapes boxes other kernels' vectors).
   */
  private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;

  private static final FloatVector FOUR_S = FloatVector.broadcast(S, 4f);
  private static final FloatVector FIVE_S = FloatVector.broadcast(S, 5f);
  private static final FloatVector TWO = FloatVector.broadcast(Q, 2f);
  private static final FloatVector FOUR = FloatVector.broadcast(Q, 4f);
  private static final FloatVector EIGHT = FloatVector.broadcast(Q, 8f);
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  /** Positions of the 6x6 transformed tile: one GEMM each. */
  static final int POSITIONS = 36;

  private Winograd4() {}

  /**
   * Tile-channels per parallel chunk of the input and output transforms: small, so that a 13 x 13
   * layer's 16 tiles split into as many chunks as the loop allows (with 1024, fire6's 192 output
   * channels were 3 chunks for 2 threads and its input transform one; SqueezeNet at two threads
   * 0.7-1.1% faster, interleaved in one JVM).
   */
  private static final int GRAIN = 128;

  /** Fewest tiles in a block cut smaller so that every thread takes whole blocks. */
  private static final int MIN_SPLIT_TILES = 2 * Sgemm.NR;

  /** Whether an output of geometry g has at least 16 tiles (4x4 blocks): a 13 x 13 output has. */
  static boolean enoughTiles(ConvGeometry g) {
    return ((g.out()[0] + 3) / 4) * ((g.out()[1] + 3) / 4) >= 16;
  }

  /**
   * U = G g G^T for every (o, c) of W [m][c][3][3], packed per position (in double, then rounded).
   */
  static Winograd.Weights transform(Tensor weight) {
    int m = weight.dim(0);
    int c = weight.dim(1);
    float[] w = weight.floats();
    float[][] u = new float[POSITIONS][m * c];
    double[] t = new double[18];
    double[] row = new double[6];
    for (int o = 0; o < m; o++) {
      for (int ci = 0; ci < c; ci++) {
        int g = (o * c + ci) * 9;
        // t = G g (6 x 3), column by column
        for (int j = 0; j < 3; j++) {
          applyG(w[g + j], w[g + 3 + j], w[g + 6 + j], row);
          for (int i = 0; i < 6; i++) {
            t[3 * i + j] = row[i];
          }
        }
        // U = t G^T (6 x 6), row by row
        for (int i = 0; i < 6; i++) {
          applyG(t[3 * i], t[3 * i + 1], t[3 * i + 2], row);
          for (int s = 0; s < 6; s++) {
            u[6 * i + s][o * c + ci] = (float) row[s];
          }
        }
      }
    }
    PackedA[] packed = new PackedA[POSITIONS];
    for (int xi = 0; xi < POSITIONS; xi++) {
      packed[xi] = PackedA.pack(u[xi], 0, c, m, c);
    }
    return new Winograd.Weights(packed);
  }

  /** G (a0, a1, a2)^T into out[0..6). */
  private static void applyG(double a0, double a1, double a2, double[] out) {
    out[0] = a0 / 4;
    out[1] = -(a0 + a1 + a2) / 6;
    out[2] = -(a0 - a1 + a2) / 6;
    out[3] = a0 / 24 + a1 / 12 + a2 / 6;
    out[4] = a0 / 24 - a1 / 12 + a2 / 6;
    out[5] = a2;
  }

  /**
   * One image: x [c][h][w] from {@code xOff} into out, output channel o at {@code outOff + o * oh *
   * ow}, with the bias (or null) and Relu.
   */
  static void run(
      float[] x,
      int xOff,
      int h,
      int w,
      ConvGeometry g,
      Winograd.Weights u,
      float[] bias,
      boolean relu,
      float[] out,
      int outOff,
      ExecContext ctx) {
    int c = u.c();
    int m = u.m();
    int oh = g.out()[0];
    int ow = g.out()[1];
    int th = (oh + 3) / 4;
    int tw = (ow + 3) / 4;
    int tiles = th * tw;
    Padded p = new Padded(4 * th + 2, (tw + 2 * L - 1) / L * L);
    float[] padded = ctx.scratch(c * p.channel());
    pad(x, xOff, c, h, w, g.padBegin()[0], g.padBegin()[1], padded, p, ctx);
    int nb = blockTiles(tiles, c, m, ctx.threads());
    // V's rows have room for a last vector's lanes past the block (stored, never read). V and M
    // are channel-major: V_xi[ci] is row 36 ci + xi of V, M_xi[o] row 36 o + xi of M, so that the
    // transforms read and write one region per channel (as 36 separate matrices, their 36 streams
    // per group of tiles took 20% longer, SqueezeNet's fire modules on a Zen 1 EPYC)
    int vs = nb + L;
    int blocks = (tiles + nb - 1) / nb;
    boolean overBlocks = blocks >= 2 * ctx.threads();
    ExecContext inner = overBlocks ? ctx.serial() : ctx;
    int[] rows = new int[c];
    for (int i = 0; i < c; i++) {
      rows[i] = i * POSITIONS * vs;
    }
    ctx.parallelFor(
        blocks,
        overBlocks ? 1 : blocks,
        (b0, b1) -> {
          float[] v = inner.scratch(POSITIONS * c * vs);
          float[] prod = inner.scratch(POSITIONS * m * nb + L);
          for (int b = b0; b < b1; b++) {
            int t0 = b * nb;
            int t1 = Math.min(tiles, t0 + nb);
            inputTransform(padded, p, c, tw, t0, t1, v, POSITIONS * vs, vs, inner);
            inner.parallelFor(
                POSITIONS,
                1,
                (x0, x1) -> {
                  for (int xi = x0; xi < x1; xi++) {
                    Sgemm.multiply(
                        u.u()[xi],
                        v,
                        xi * vs,
                        rows,
                        t1 - t0,
                        null,
                        0,
                        false,
                        prod,
                        xi * nb,
                        POSITIONS * nb,
                        inner.serial());
                  }
                });
            outputTransform(
                prod, POSITIONS * nb, nb, m, tw, t0, t1, oh, ow, bias, relu, out, outOff, inner);
          }
          inner.recycle(prod);
          inner.recycle(v);
        });
    ctx.recycle(padded);
  }

  /**
   * Tiles per block: {@link Winograd#blockTiles}, or, where that leaves fewer than two blocks per
   * thread (each block then runs its three steps as parallel regions of its own), 2 x threads
   * blocks of near-equal size in whole GEMM panels (NR tiles), at least {@link #MIN_SPLIT_TILES},
   * which the threads take whole. SqueezeNet's fire2 and fire3 (196 tiles: 3 blocks of up to 80) at
   * two threads: 4 blocks of 49, the model 2.5-3% faster, interleaved in one JVM on a Zen 1 EPYC;
   * but 49 tiles take 4 panels, one of them for a single tile, and 4 x 48 + 4 take 13 panels
   * instead of 16 (the model 0.8-1.3% faster again, interleaved in one JVM, both orders).
   */
  static int blockTiles(int tiles, int c, int m, int threads) {
    int nb = Winograd.blockTiles(tiles, c, m, POSITIONS);
    if (threads > 1 && (tiles + nb - 1) / nb < 2 * threads) {
      int even = (tiles + 2 * threads - 1) / (2 * threads) / Sgemm.NR * Sgemm.NR;
      if (even >= MIN_SPLIT_TILES) {
        return even;
      }
    }
    return nb;
  }

  /**
   * Channels per parallel chunk of the padding: chunks of up to 128 KB of padded input, as many as
   * a multiple of the threads, of near-equal size, so that every thread pads an equal share (fire4
   * to fire9 of SqueezeNet were one chunk, run on one thread: 1.5% of the two-thread run in
   * samples; two threads, interleaved in one JVM on a Zen 1 EPYC: 0.990 and 1/1.024; and fire2's 16
   * channels were chunks of 5, 10 channels for one thread and 6 for the other).
   */
  static int padGrain(int c, int channelFloats, int threads) {
    long chunks = Math.max(1, ((long) c * channelFloats + (1 << 15) - 1) >> 15);
    chunks = (chunks + threads - 1) / threads * threads;
    return (int) Math.max(1, (c + chunks - 1) / chunks);
  }

  /**
   * The zero-padded input, split by column modulo 4: per channel, {@code rows} rows of four runs of
   * {@code quarter} floats, run q holding columns q, q + 4, q + 8, ..., so that tile tx's six
   * columns 4tx .. 4tx + 5 are at tx in runs 0 to 3, then at tx + 1 in runs 0 and 1: L tiles' worth
   * is six plain loads.
   */
  private record Padded(int rows, int quarter) {
    int channel() {
      return rows * 4 * quarter;
    }
  }

  private static void pad(
      float[] x,
      int xOff,
      int c,
      int h,
      int w,
      int top,
      int left,
      float[] dst,
      Padded p,
      ExecContext ctx) {
    int quarter = p.quarter();
    int pitch = 4 * quarter;
    ctx.parallelFor(
        c,
        padGrain(c, p.channel(), ctx.threads()),
        (c0, c1) -> {
          // one padded row: zeros around the input row, copied in at column left, then split by
          // 4 x 4 transposes (16 columns: four runs of four)
          float[] row = new float[pitch];
          for (int ci = c0; ci < c1; ci++) {
            int base = ci * p.channel();
            java.util.Arrays.fill(dst, base, base + top * pitch, 0f);
            for (int iy = 0; iy < h; iy++) {
              System.arraycopy(x, xOff + (ci * h + iy) * w, row, left, w);
              int at = base + (iy + top) * pitch;
              for (int k = 0; k < quarter; k += 4) {
                BlockTranspose.block4x4(row, 4 * k, 4, dst, at + k, quarter);
              }
            }
            java.util.Arrays.fill(dst, base + (top + h) * pitch, base + p.channel(), 0f);
          }
        });
  }

  /**
   * V_xi[ci][t - t0] = (B^T d B)[xi] for tiles [t0, t1) (tile t = ty * tw + tx reads padded rows
   * 4ty to 4ty + 5 and columns 4tx to 4tx + 5), L tiles at a time, at v[ci * vs + xi * step + t -
   * t0].
   */
  private static void inputTransform(
      float[] p,
      Padded pd,
      int c,
      int tw,
      int t0,
      int t1,
      float[] v,
      int vs,
      int step,
      ExecContext ctx) {
    int pitch = 4 * pd.quarter();
    int quarter = pd.quarter();
    ctx.parallelFor(
        c,
        Math.max(1, GRAIN / Math.max(1, t1 - t0)),
        (c0, c1) -> {
          float[] db = new float[36 * L];
          for (int ci = c0; ci < c1; ci++) {
            for (int t = t0; t < t1; ) {
              int ty = t / tw;
              int tx = t - ty * tw;
              int at = ci * pd.channel() + 4 * ty * pitch + tx;
              // d B row by row (value j of a row is in run j % 4), into db[(6r + s) L] ...
              for (int r = 0, a = at; r < 6; r++, a += pitch) {
                transformB(
                    p,
                    a,
                    a + quarter,
                    a + 2 * quarter,
                    a + 3 * quarter,
                    a + 1,
                    a + quarter + 1,
                    db,
                    6 * r * L,
                    L);
              }
              // ... then B^T down each column s: V_(6r + s)
              int o = ci * vs + (t - t0);
              for (int s = 0; s < 6; s++) {
                transformB(
                    db,
                    s * L,
                    (6 + s) * L,
                    (12 + s) * L,
                    (18 + s) * L,
                    (24 + s) * L,
                    (30 + s) * L,
                    v,
                    o + s * step,
                    6 * step);
              }
              t += Math.min(L, tw - tx);
            }
          }
        });
  }

  /**
   * B^T (d0 .. d5) for L lanes, the d's at the given offsets of {@code src}, result r stored at
   * dst[o + r * step]. (Arrays and offsets in, not vectors: C2 boxes vectors passed to a call it
   * does not inline.) All L lanes are stored: V has room, and lanes past the block or the tile row
   * are overwritten or unread.
   */
  private static void transformB(
      float[] src, int o0, int o1, int o2, int o3, int o4, int o5, float[] dst, int o, int step) {
    FloatVector d0 = FloatVector.fromArray(S, src, o0);
    FloatVector d1 = FloatVector.fromArray(S, src, o1);
    FloatVector d2 = FloatVector.fromArray(S, src, o2);
    FloatVector d3 = FloatVector.fromArray(S, src, o3);
    FloatVector d4 = FloatVector.fromArray(S, src, o4);
    FloatVector d5 = FloatVector.fromArray(S, src, o5);
    // the first operation on a loaded vector is the abstract lanewise, dispatched here, not add or
    // mul, whose profiles the whole JVM shares (see Simd); the results have an exact type
    d0.lanewise(MUL, FOUR_S).add(d4).sub(d2.lanewise(MUL, FIVE_S)).intoArray(dst, o);
    FloatVector a = d1.lanewise(ADD, d2);
    FloatVector b = d1.lanewise(SUB, d2);
    d3.lanewise(ADD, d4).sub(a.mul(4f)).intoArray(dst, o + step);
    d4.lanewise(SUB, d3).add(b.mul(4f)).intoArray(dst, o + 2 * step);
    FloatVector e = d4.lanewise(SUB, d2);
    FloatVector f = d3.lanewise(SUB, d1).mul(2f);
    e.add(f).intoArray(dst, o + 3 * step);
    e.sub(f).intoArray(dst, o + 4 * step);
    d1.lanewise(MUL, FOUR_S).add(d5).sub(d3.lanewise(MUL, FIVE_S)).intoArray(dst, o + 5 * step);
  }

  /**
   * Y = A^T M A for tiles [t0, t1) of every output channel, plus the bias, Relu when asked, written
   * to the output rows and columns that exist. M_xi[o][t - t0] is prod[o * channel + xi * step + t
   * - t0].
   */
  private static void outputTransform(
      float[] prod,
      int channel,
      int step,
      int m,
      int tw,
      int t0,
      int t1,
      int oh,
      int ow,
      float[] bias,
      boolean relu,
      float[] out,
      int outOff,
      ExecContext ctx) {
    int outSize = oh * ow;
    ctx.parallelFor(
        m,
        Math.max(1, GRAIN / Math.max(1, t1 - t0)),
        (o0, o1) -> {
          float[] am = new float[24 * L];
          float[] ys = new float[4 * L];
          for (int o = o0; o < o1; o++) {
            float b = bias == null ? 0f : bias[o];
            for (int t = t0; t < t1; ) {
              int ty = t / tw;
              int tx = t - ty * tw;
              int lanes = Math.min(L, Math.min(tw - tx, t1 - t));
              int at = o * channel + (t - t0);
              // A^T down each column c of M (M_(6r + c)), into am[(6i + c) L] ...
              for (int c = 0; c < 6; c++) {
                int a = at + c * step;
                int rs = 6 * step;
                transformA(
                    prod,
                    a,
                    a + rs,
                    a + 2 * rs,
                    a + 3 * rs,
                    a + 4 * rs,
                    a + 5 * rs,
                    am,
                    c * L,
                    6 * L);
              }
              // ... then A across each row i, stored as output row 4ty + i
              int rows = Math.min(4, oh - 4 * ty);
              int cols = Math.min(4 * lanes, ow - 4 * tx);
              int d = outOff + o * outSize + 4 * ty * ow + 4 * tx;
              for (int i = 0; i < rows; i++) {
                outputRow(am, 6 * i * L, b, relu, ys, out, d + i * ow, cols);
              }
              t += lanes;
            }
          }
        });
  }

  /** A^T (m0 .. m5) for L lanes, the m's at the given offsets, result i at dst[o + i * step]. */
  private static void transformA(
      float[] src, int o0, int o1, int o2, int o3, int o4, int o5, float[] dst, int o, int step) {
    FloatVector m1 = FloatVector.fromArray(S, src, o1);
    FloatVector m2 = FloatVector.fromArray(S, src, o2);
    FloatVector m3 = FloatVector.fromArray(S, src, o3);
    FloatVector m4 = FloatVector.fromArray(S, src, o4);
    // first operations on loaded vectors as in transformB
    FloatVector a = m1.lanewise(ADD, m2);
    FloatVector b = m1.lanewise(SUB, m2);
    FloatVector c = m3.lanewise(ADD, m4);
    FloatVector d = m3.lanewise(SUB, m4);
    FloatVector.fromArray(S, src, o0).lanewise(ADD, a).add(c).intoArray(dst, o);
    b.add(d.mul(2f)).intoArray(dst, o + step);
    a.add(c.mul(4f)).intoArray(dst, o + 2 * step);
    b.add(d.mul(8f)).add(FloatVector.fromArray(S, src, o5)).intoArray(dst, o + 3 * step);
  }

  /**
   * One output row of L tiles: A across the row's six values (am[o], am[o + L], ...), plus the bias
   * and Relu, the tiles' four columns interleaved and stored at out[d], the first {@code cols}
   * floats (through {@code ys}, 4 L floats, when that is not all of them). In 128-bit vectors, four
   * tiles at a time: the interleaving is then a 4 x 4 transpose in registers with in-lane shuffles
   * (as {@code BlockTranspose}'s); 256-bit interleaving took 8 cross-lane two-vector permutes per
   * row, and a 256-bit row through a scratch to 128-bit transposes 6.4% of SqueezeNet's samples.
   */
  private static void outputRow(
      float[] am, int o, float bias, boolean relu, float[] ys, float[] out, int d, int cols) {
    boolean whole = cols >= 4 * L;
    float[] dst = whole ? out : ys;
    int base = whole ? d : 0;
    FloatVector zero = FloatVector.zero(Q);
    FloatVector b4 = FloatVector.broadcast(Q, bias);
    MemorySegment to = MemorySegment.ofArray(dst);
    for (int q = 0; q < L; q += 4) {
      FloatVector m1 = FloatVector.fromArray(Q, am, o + L + q);
      FloatVector m2 = FloatVector.fromArray(Q, am, o + 2 * L + q);
      FloatVector m3 = FloatVector.fromArray(Q, am, o + 3 * L + q);
      FloatVector m4 = FloatVector.fromArray(Q, am, o + 4 * L + q);
      FloatVector a = m1.lanewise(ADD, m2);
      FloatVector b = m1.lanewise(SUB, m2);
      FloatVector c = m3.lanewise(ADD, m4);
      FloatVector e = m3.lanewise(SUB, m4);
      FloatVector y0 =
          FloatVector.fromArray(Q, am, o + q).lanewise(ADD, a).lanewise(ADD, c).lanewise(ADD, b4);
      FloatVector y1 = b.lanewise(ADD, e.lanewise(MUL, TWO)).lanewise(ADD, b4);
      FloatVector y2 = a.lanewise(ADD, c.lanewise(MUL, FOUR)).lanewise(ADD, b4);
      FloatVector y3 =
          b.lanewise(ADD, e.lanewise(MUL, EIGHT))
              .lanewise(ADD, FloatVector.fromArray(Q, am, o + 5 * L + q))
              .lanewise(ADD, b4);
      if (relu) {
        y0 = y0.blend(zero, y0.compare(VectorOperators.LE, zero));
        y1 = y1.blend(zero, y1.compare(VectorOperators.LE, zero));
        y2 = y2.blend(zero, y2.compare(VectorOperators.LE, zero));
        y3 = y3.blend(zero, y3.compare(VectorOperators.LE, zero));
      }
      // lane t of y_j to lane j of row t: (y0, y2) and (y1, y3) exchange their second pairs of
      // lanes, then (z0, z1) and (z2, z3) their odd and even lanes
      FloatVector z0 = y0.blend(y2.rearrange(SWAP_PAIRS), HIGH_PAIR);
      FloatVector z2 = y0.rearrange(SWAP_PAIRS).blend(y2, HIGH_PAIR);
      FloatVector z1 = y1.blend(y3.rearrange(SWAP_PAIRS), HIGH_PAIR);
      FloatVector z3 = y1.rearrange(SWAP_PAIRS).blend(y3, HIGH_PAIR);
      int at = base + 4 * q;
      z0.blend(z1.rearrange(UP), ODD).intoMemorySegment(to, 4L * at, NATIVE);
      z0.rearrange(DOWN).blend(z1, ODD).intoMemorySegment(to, 4L * (at + 4), NATIVE);
      z2.blend(z3.rearrange(UP), ODD).intoMemorySegment(to, 4L * (at + 8), NATIVE);
      z2.rearrange(DOWN).blend(z3, ODD).intoMemorySegment(to, 4L * (at + 12), NATIVE);
    }
    if (!whole) {
      // the last tiles of an output row: only the columns that exist
      System.arraycopy(ys, 0, out, d, cols);
    }
  }
}
