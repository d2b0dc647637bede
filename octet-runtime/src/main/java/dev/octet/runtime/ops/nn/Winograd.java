package dev.octet.runtime.ops.nn;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.Simd;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of output (a tile) comes
 * from the 4x4 block of input under it as 16 products instead of 36, so the GEMM does 2.25 times
 * fewer multiply-adds than the direct convolution's.
 *
 * <p>With U = G g G^T (the 3x3 filter g of output channel o and input channel c, as 4x4), V = B^T d
 * B (the 4x4 input block d of channel c under tile t) and M = U . V summed over c, the tile's
 * output is A^T M A. Summed over c, each of the 16 positions xi of the 4x4 is one GEMM: M_xi[o][t]
 * = sum_c U_xi[o][c] V_xi[c][t]. The weights are transformed and packed once; per run, the input is
 * transformed a block of tiles at a time, the 16 GEMMs run on the packed SGEMM, and the output
 * transform adds the bias, applies Relu and writes the 2x2 outputs in place.
 *
 * <p>Numerically, the transforms use only 0, +-1 and +-1/2, but the products are of transformed
 * values, so the rounding differs from the direct form's: {@code ConvKernelTest} holds both to the
 * definition (within 1e-5 of the terms' absolute sum). Used where it pays ({@link #suits}, {@link
 * #enoughTiles}): at least 32 input and output channels and 192 tiles (with AVX2: 16 input channels
 * and 48 tiles, {@link #MIN_INPUT_CHANNELS}, {@link #MIN_TILES}); VGG-19 runs 30% faster with it,
 * SqueezeNet's 13 x 13 layers would run slower with AVX-512. With 16 vector registers {@link
 * ConvKernel} takes {@link Winograd4}'s F(4x4, 3x3) instead, on the same layers ({@link #suits}).
 */
final class Winograd {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  /** Lane i takes lane 2i (EVEN) or 2i + 1 (ODD) of (a, b) in {@code a.rearrange(EVEN, b)}. */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);

  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

  /** Lanes of (a, b) interleaved: a0 b0 a1 b1 ... (LOW: the first halves; HIGH: the second). */
  private static final VectorShuffle<Float> LOW =
      VectorShuffle.fromOp(S, i -> (i % 2 == 0 ? 0 : L) + i / 2);

  private static final VectorShuffle<Float> HIGH =
      VectorShuffle.fromOp(S, i -> (i % 2 == 0 ? 0 : L) + L / 2 + i / 2);

  /** Floats of V and M per block: about 1 MB, half of this CPU's L2. */
  private static final int BLOCK_FLOATS = 256 * 1024;

  private Winograd() {}

  /**
   * The transformed weights: U_xi as a packed [M][C] matrix for each of the 16 positions, or of
   * {@link Winograd4}'s 36.
   */
  record Weights(PackedA[] u) {
    /** Whether these are F(4x4, 3x3)'s, for {@link Winograd4}. */
    boolean four() {
      return u.length == Winograd4.POSITIONS;
    }

    int m() {
      return u[0].m();
    }

    int c() {
      return u[0].k();
    }
  }

  /**
   * Whether F(2x2, 3x3) suits a Conv with these attributes and constant W, whatever the input's
   * size: SIMD on, W [M][C][3][3], one group, strides and dilations 1, and at least 32 input
   * ({@link #MIN_INPUT_CHANNELS}) and output channels, so that the 16 GEMMs' work dominates the
   * transforms'. Measured per layer at one thread against the GEMM form: 16 -> 64 channels at
   * 55x55, even; 32 -> 128 at 27x27, 12% faster; VGG-19 (64 to 512 channels), 30% faster as a
   * whole.
   */
  static boolean suits(Attributes attrs, Tensor w) {
    if (!Simd.ENABLED
        || w.rank() != 4
        || w.dim(2) != 3
        || w.dim(3) != 3
        || attrs.getInt("group", 1) != 1) {
      return false;
    }
    for (String a : new String[] {"strides", "dilations"}) {
      if (attrs.has(a) && Arrays.stream(attrs.getInts(a)).anyMatch(v -> v != 1)) {
        return false;
      }
    }
    return w.dim(1) >= MIN_INPUT_CHANNELS && w.dim(0) >= 32;
  }

  /**
   * Fewest input channels: 32, or 16 with AVX2 (16-column panels, 4-row tiles), where the GEMM
   * form's 16 -> 64 channels at 55x55 run slower than these (SqueezeNet's fire2 and fire3 on a Zen
   * 1 EPYC: 2.7-2.9 -> 2.05-2.4 ms each, expand layers together).
   */
  private static final int MIN_INPUT_CHANNELS = Sgemm.NR < 3 * L ? 16 : 32;

  /** Whether an output of geometry g has enough tiles for the form of u. */
  static boolean enoughTiles(ConvGeometry g, Weights u) {
    return u.four() ? Winograd4.enoughTiles(g) : enoughTiles(g);
  }

  /** Whether an output of geometry g has {@link #MIN_TILES} tiles (2x2 blocks) or more. */
  static boolean enoughTiles(ConvGeometry g) {
    return ((g.out()[0] + 1) / 2) * ((g.out()[1] + 1) / 2) >= MIN_TILES;
  }

  /**
   * Fewest tiles for F(2x2, 3x3): the GEMMs' columns. With AVX-512, at 13x13 (49 tiles) it was
   * 15-25% slower than the GEMM form (48 -> 192 and 64 -> 256 channels); with AVX2 (16-column
   * panels, 4-row tiles) it is 15-25% faster there (SqueezeNet's fire6-9 on a Zen 1 EPYC: 1.9 ->
   * 1.5 ms and 1.1 -> 0.9 ms).
   */
  private static final int MIN_TILES = Sgemm.NR < 3 * L ? 3 * Sgemm.NR : 4 * Sgemm.NR;

  /** U = G g G^T for every (o, c) of W [m][c][3][3], packed per position. */
  static Weights transform(Tensor weight) {
    int m = weight.dim(0);
    int c = weight.dim(1);
    float[] w = weight.floats();
    float[][] u = new float[16][m * c];
    float[] t = new float[12];
    for (int o = 0; o < m; o++) {
      for (int ci = 0; ci < c; ci++) {
        int g = (o * c + ci) * 9;
        // t = G g (4 x 3), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
        for (int j = 0; j < 3; j++) {
          float g0 = w[g + j];
          float g1 = w[g + 3 + j];
          float g2 = w[g + 6 + j];
          t[j] = g0;
          t[3 + j] = 0.5f * (g0 + g1 + g2);
          t[6 + j] = 0.5f * (g0 - g1 + g2);
          t[9 + j] = g2;
        }
        // U = t G^T (4 x 4)
        for (int i = 0; i < 4; i++) {
          float a0 = t[3 * i];
          float a1 = t[3 * i + 1];
          float a2 = t[3 * i + 2];
          int at = o * c + ci;
          u[4 * i][at] = a0;
          u[4 * i + 1][at] = 0.5f * (a0 + a1 + a2);
          u[4 * i + 2][at] = 0.5f * (a0 - a1 + a2);
          u[4 * i + 3][at] = a2;
        }
      }
    }
    PackedA[] packed = new PackedA[16];
    for (int xi = 0; xi < 16; xi++) {
      packed[xi] = PackedA.pack(u[xi], 0, c, m, c);
    }
    return new Weights(packed);
  }

  /**
   * One image: x [c][h][w] from {@code xOff} into out, output channel o at {@code outOff + o * oh *
   * ow}, with the bias (or null) and Relu ({@link Winograd4}'s form when u is its).
   */
  static void run(
      float[] x,
      int xOff,
      int h,
      int w,
      ConvGeometry g,
      Weights u,
      float[] bias,
      boolean relu,
      float[] out,
      int outOff,
      ExecContext ctx) {
    if (u.four()) {
      Winograd4.run(x, xOff, h, w, g, u, bias, relu, out, outOff, ctx);
      return;
    }
    int c = u.c();
    int m = u.m();
    int oh = g.out()[0];
    int ow = g.out()[1];
    int th = (oh + 1) / 2;
    int tw = (ow + 1) / 2;
    int tiles = th * tw;
    Padded p = new Padded(2 * th + 2, (tw + 2 * L - 1) / L * L);
    float[] padded = ctx.scratch(c * p.channel());
    pad(x, xOff, c, h, w, g.padBegin()[0], g.padBegin()[1], padded, p, ctx);
    int nb = blockTiles(tiles, c, m, 16);
    // V's rows have room for a last vector's lanes past the block (stored, never read)
    int vs = nb + L;
    // the 16 matrices of V and of M one vector further apart than their size: when that was a
    // multiple of 4 KB, the output transform's 16 loads (one per matrix) fell into one L1 set
    int vStep = c * vs + L;
    int pStep = m * nb + L;
    int blocks = (tiles + nb - 1) / nb;
    boolean overBlocks = blocks >= 2 * ctx.threads();
    ExecContext inner = overBlocks ? ctx.serial() : ctx;
    int[] rows = new int[c];
    for (int i = 0; i < c; i++) {
      rows[i] = i * vs;
    }
    ctx.parallelFor(
        blocks,
        overBlocks ? 1 : blocks,
        (b0, b1) -> {
          float[] v = inner.scratch(16 * vStep);
          float[] prod = inner.scratch(16 * pStep + L);
          for (int b = b0; b < b1; b++) {
            int t0 = b * nb;
            int t1 = Math.min(tiles, t0 + nb);
            inputTransform(padded, p, c, tw, t0, t1, v, vs, vStep, inner);
            // the 16 GEMMs, over the threads when the blocks are not (each is too small to be
            // split: 128 x 96 x 32 ran on one thread, and 27 x 27 layers did not scale)
            inner.parallelFor(
                16,
                1,
                (x0, x1) -> {
                  for (int xi = x0; xi < x1; xi++) {
                    Sgemm.multiply(
                        u.u()[xi],
                        v,
                        xi * vStep,
                        rows,
                        t1 - t0,
                        null,
                        0,
                        false,
                        prod,
                        xi * pStep,
                        nb,
                        inner.serial());
                  }
                });
            outputTransform(prod, nb, pStep, m, tw, t0, t1, oh, ow, bias, relu, out, outOff, inner);
          }
          inner.recycle(prod);
          inner.recycle(v);
        });
    ctx.recycle(padded);
  }

  /**
   * The zero-padded input, split by column parity: per channel, {@code rows} rows of {@code half}
   * even columns then {@code half} odd ones, so that tile tx's four columns 2tx .. 2tx + 3 are
   * even[tx], odd[tx], even[tx + 1], odd[tx + 1]: L tiles' worth is four plain loads.
   */
  private record Padded(int rows, int half) {
    int channel() {
      return rows * 2 * half;
    }
  }

  /**
   * Tiles per block: whole GEMM panels (NR tiles), as many as keep V and M of a block near {@link
   * #BLOCK_FLOATS}; the last block takes what is left.
   */
  static int blockTiles(int tiles, int c, int m, int positions) {
    int nb = Math.max(Sgemm.NR, BLOCK_FLOATS / (positions * (c + m)) / Sgemm.NR * Sgemm.NR);
    return Math.min(tiles, nb);
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
    int half = p.half();
    int pitch = 2 * half;
    ctx.parallelFor(
        c,
        Winograd4.padGrain(c, p.channel(), ctx.threads()),
        (c0, c1) -> {
          // one padded row: zeros around the input row, which is copied in at column left
          float[] row = new float[pitch];
          for (int ci = c0; ci < c1; ci++) {
            int base = ci * p.channel();
            java.util.Arrays.fill(dst, base, base + top * pitch, 0f);
            for (int iy = 0; iy < h; iy++) {
              System.arraycopy(x, xOff + (ci * h + iy) * w, row, left, w);
              deinterleave(row, dst, base + (iy + top) * pitch, half);
            }
            java.util.Arrays.fill(dst, base + (top + h) * pitch, base + p.channel(), 0f);
          }
        });
  }

  /** dst[at + q] = row[2q] and dst[at + half + q] = row[2q + 1] for q < half (a multiple of L). */
  private static void deinterleave(float[] row, float[] dst, int at, int half) {
    for (int q = 0; q < half; q += L) {
      FloatVector a = FloatVector.fromArray(S, row, 2 * q);
      FloatVector b = FloatVector.fromArray(S, row, 2 * q + L);
      a.rearrange(EVEN, b).intoArray(dst, at + q);
      a.rearrange(ODD, b).intoArray(dst, at + half + q);
    }
  }

  /**
   * V_xi[ci][t - t0] = (B^T d B)[xi] for tiles [t0, t1) (tile t = ty * tw + tx reads padded rows
   * 2ty to 2ty + 3 and columns 2tx to 2tx + 3), L tiles at a time; rows of V are {@code vs} apart.
   * B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: column s of d B is, per row, d0 - d2, d1 + d2,
   * d2 - d1 or d1 - d3.
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
    int pitch = 2 * pd.half();
    int odd = pd.half();
    ctx.parallelFor(
        c,
        Math.max(1, 1024 / Math.max(1, t1 - t0)),
        (c0, c1) -> {
          for (int ci = c0; ci < c1; ci++) {
            for (int t = t0; t < t1; ) {
              int ty = t / tw;
              int tx = t - ty * tw;
              int at = ci * pd.channel() + 2 * ty * pitch + tx;
              int o = ci * vs + (t - t0);
              column(p, at, at + 1, false, pitch, v, o, step);
              column(p, at + odd, at + 1, true, pitch, v, o + step, step);
              column(p, at + 1, at + odd, false, pitch, v, o + 2 * step, step);
              column(p, at + odd, at + odd + 1, false, pitch, v, o + 3 * step, step);
              t += Math.min(L, tw - tx);
            }
          }
        });
  }

  /**
   * Column s of B^T (d B) for L tiles: with r_i = p[a + i * pitch] -/+ p[b + i * pitch] (column s
   * of d B in row i), V rows s, 4 + s, 8 + s, 12 + s are r0 - r2, r1 + r2, r2 - r1, r1 - r3. All L
   * lanes are stored (V has room); lanes past the block or the tile row are overwritten or unread.
   */
  private static void column(
      float[] p, int a, int b, boolean add, int pitch, float[] v, int o, int step) {
    FloatVector r0 = pair(p, a, b, add);
    FloatVector r1 = pair(p, a + pitch, b + pitch, add);
    FloatVector r2 = pair(p, a + 2 * pitch, b + 2 * pitch, add);
    FloatVector r3 = pair(p, a + 3 * pitch, b + 3 * pitch, add);
    r0.sub(r2).intoArray(v, o);
    r1.add(r2).intoArray(v, o + 4 * step);
    r2.sub(r1).intoArray(v, o + 8 * step);
    r1.sub(r3).intoArray(v, o + 12 * step);
  }

  private static FloatVector pair(float[] p, int a, int b, boolean add) {
    FloatVector x = FloatVector.fromArray(S, p, a);
    FloatVector y = FloatVector.fromArray(S, p, b);
    return add ? x.add(y) : x.sub(y);
  }

  /**
   * Y = A^T M A for tiles [t0, t1) of every output channel, plus the bias, Relu when asked, written
   * to the output rows and columns that exist. A^T = [1 1 1 0; 0 1 -1 -1].
   */
  private static void outputTransform(
      float[] prod,
      int nb,
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
        Math.max(1, 1024 / Math.max(1, t1 - t0)),
        (o0, o1) -> {
          for (int o = o0; o < o1; o++) {
            float b = bias == null ? 0f : bias[o];
            for (int t = t0; t < t1; ) {
              int ty = t / tw;
              int tx = t - ty * tw;
              int lanes = Math.min(L, Math.min(tw - tx, t1 - t));
              int at = o * nb + (t - t0);
              int cols = Math.min(2 * lanes, ow - 2 * tx);
              int y = 2 * ty;
              int d = outOff + o * outSize + y * ow + 2 * tx;
              outputTile(prod, at, step, b, relu, out, d, y + 1 < oh ? ow : -1, cols);
              t += lanes;
            }
          }
        });
  }

  /**
   * The 2x2 outputs of L tiles: with s_j = m0j + m1j + m2j and e_j = m1j - m2j - m3j, the top row
   * is s0 + s1 + s2 and s1 - s2 - s3 of each tile, the bottom row the same of e (at out[d + down],
   * none when down is negative), interleaved, plus the bias and Relu when asked, the first {@code
   * cols} of each row stored. (One method, the vectors in locals: C2 boxes vectors passed to a call
   * it does not inline.)
   */
  private static void outputTile(
      float[] prod,
      int at,
      int step,
      float b,
      boolean relu,
      float[] out,
      int d,
      int down,
      int cols) {
    FloatVector s0 = FloatVector.fromArray(S, prod, at);
    FloatVector s1 = FloatVector.fromArray(S, prod, at + step);
    FloatVector s2 = FloatVector.fromArray(S, prod, at + 2 * step);
    FloatVector s3 = FloatVector.fromArray(S, prod, at + 3 * step);
    FloatVector e0 = FloatVector.fromArray(S, prod, at + 4 * step);
    FloatVector e1 = FloatVector.fromArray(S, prod, at + 5 * step);
    FloatVector e2 = FloatVector.fromArray(S, prod, at + 6 * step);
    FloatVector e3 = FloatVector.fromArray(S, prod, at + 7 * step);
    FloatVector m0 = FloatVector.fromArray(S, prod, at + 8 * step);
    FloatVector m1 = FloatVector.fromArray(S, prod, at + 9 * step);
    FloatVector m2 = FloatVector.fromArray(S, prod, at + 10 * step);
    FloatVector m3 = FloatVector.fromArray(S, prod, at + 11 * step);
    s0 = s0.add(e0).add(m0);
    s1 = s1.add(e1).add(m1);
    s2 = s2.add(e2).add(m2);
    s3 = s3.add(e3).add(m3);
    e0 = e0.sub(m0).sub(FloatVector.fromArray(S, prod, at + 12 * step));
    e1 = e1.sub(m1).sub(FloatVector.fromArray(S, prod, at + 13 * step));
    e2 = e2.sub(m2).sub(FloatVector.fromArray(S, prod, at + 14 * step));
    e3 = e3.sub(m3).sub(FloatVector.fromArray(S, prod, at + 15 * step));
    FloatVector top0 = s0.add(s1).add(s2).add(b);
    FloatVector top1 = s1.sub(s2).sub(s3).add(b);
    FloatVector bot0 = e0.add(e1).add(e2).add(b);
    FloatVector bot1 = e1.sub(e2).sub(e3).add(b);
    if (relu) {
      FloatVector zero = FloatVector.zero(S);
      top0 = top0.blend(zero, top0.compare(VectorOperators.LE, zero));
      top1 = top1.blend(zero, top1.compare(VectorOperators.LE, zero));
      bot0 = bot0.blend(zero, bot0.compare(VectorOperators.LE, zero));
      bot1 = bot1.blend(zero, bot1.compare(VectorOperators.LE, zero));
    }
    FloatVector a = top0.rearrange(LOW, top1);
    FloatVector c = top0.rearrange(HIGH, top1);
    FloatVector e = bot0.rearrange(LOW, bot1);
    FloatVector f = bot0.rearrange(HIGH, bot1);
    if (cols >= 2 * L) {
      a.intoArray(out, d);
      c.intoArray(out, d + L);
      if (down >= 0) {
        e.intoArray(out, d + down);
        f.intoArray(out, d + down + L);
      }
      return;
    }
    // the last tiles of an output row: only the columns that exist
    VectorMask<Float> first = VectorMask.fromLong(S, cols >= L ? -1L : (1L << cols) - 1);
    VectorMask<Float> second = VectorMask.fromLong(S, cols > L ? (1L << (cols - L)) - 1 : 0L);
    a.intoArray(out, d, first);
    c.intoArray(out, d + L, second);
    if (down >= 0) {
      e.intoArray(out, d + down, first);
      f.intoArray(out, d + down + L, second);
    }
  }
}
