package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact integer GEMM, C[M][N] = A[M][K] * B[K][N] in int32, for 8-bit B packed into byte panels
 * ({@link PackedB8}) and A holding integers of magnitude at most 255 (zero-point-shifted 8-bit
 * activations) given as floats.
 *
 * <p>The Vector API has no byte dot product, so the products are computed in float by {@link
 * Sgemm}'s micro-kernel: every product and partial sum is an integer below 2^24, hence exact. K
 * runs in chunks of {@link #KC} (255 * 128 * 512 < 2^24); each chunk's sums are converted to int
 * and added. The byte operand is widened to floats once per tile and chunk (a B panel chunk reused
 * by the 8-row tiles of a 64-row block, or an 8-row A panel chunk for convolution weights), which
 * costs less than widening inside the inner loop, where the conversions compete with the FMAs for
 * the same ports. Rows fewer than the tile widen B in registers instead (one pass over the bytes).
 * The tiling is Sgemm's, so results do not depend on the thread count and equal {@link
 * IgemmReference}'s bit for bit. {@link #multiplyW8} is the inexact float variant for float
 * activations (W8A32).
 */
public final class Igemm {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();
  private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
  private static final VectorSpecies<Byte> BS =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
  private static final int MR = Sgemm.MR;
  private static final int NR = Sgemm.NR;
  private static final int MC = 64;

  /**
   * Rows of A per block when B is widened per tile: each widened panel chunk then feeds 32 row
   * tiles instead of 8 (MiniLM batch 8, M = 1024: DynamicQuantizeMatMul 5-10% faster than with 64),
   * while a block's chunk of A (256 x 512 floats) still fits in L2.
   */
  private static final int MC_WIDE = 256;

  /** K per exact float chunk. */
  public static final int KC = 512;

  private Igemm() {}

  /**
   * C = A * B (overwriting C). A[i][k] = a[aOff + i*lda + k], integers with |A| <= 255; C[i][j] =
   * c[cOff + i*ldc + j]; B's stored (signed) values are used, see {@link PackedB8#offset()}.
   */
  public static void multiply(
      float[] a,
      int aOff,
      int lda,
      int m,
      PackedB8 b,
      int[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    if (!Simd.ENABLED) {
      IgemmReference.multiply(a, aOff, lda, m, b, c, cOff, ldc);
      return;
    }
    int k = b.k;
    int n = b.n;
    long work = (long) m * n * k;
    if (m < MR) {
      ctx.parallelFor(
          b.panels,
          work < Sgemm.PARALLEL_MACS ? b.panels : 1,
          (p0, p1) -> {
            float[] t = new float[NR];
            for (int p = p0; p < p1; p++) {
              int cols = Math.min(NR, n - p * NR);
              for (int i = 0; i < m; i++) {
                for (int k0 = 0; k0 < k; k0 += KC) {
                  int len = Math.min(KC, k - k0);
                  kernel1(a, aOff + i * lda + k0, b.data, p * k * NR + k0 * NR, len, t);
                  add(t, c, cOff + i * ldc + p * NR, ldc, 1, cols, k0 == 0);
                }
              }
            }
          });
      return;
    }
    float[] buffer = ctx.floats(PackedA.size(m, k));
    multiply(PackedA.pack(a, aOff, lda, m, k, buffer), b, c, cOff, ldc, ctx);
    ctx.recycle(buffer);
  }

  /** C = A * B (overwriting C) with A already packed (|A| <= 255 integers as floats). */
  public static void multiply(PackedA pa, PackedB8 b, int[] c, int cOff, int ldc, ExecContext ctx) {
    run(pa, b, c, null, cOff, ldc, ctx);
  }

  /**
   * C = A * B into float C, for K of at most {@link #KC}: the single chunk's sums are exact
   * integers in float, so the int32 result and its conversion are skipped.
   */
  public static void multiplyToFloat(
      PackedA pa, PackedB8 b, float[] c, int cOff, int ldc, ExecContext ctx) {
    if (b.k > KC) {
      throw new IllegalArgumentException("K = " + b.k + " exceeds one exact chunk (" + KC + ")");
    }
    if (!Simd.ENABLED) {
      int[] ci = new int[pa.m() * b.n];
      IgemmReference.multiply(pa, b, ci, 0, b.n);
      for (int i = 0; i < pa.m(); i++) {
        for (int j = 0; j < b.n; j++) {
          c[cOff + i * ldc + j] = ci[i * b.n + j];
        }
      }
      return;
    }
    run(pa, b, null, c, cOff, ldc, KC, ctx);
  }

  /**
   * W8A32: C = A * B in float for any float A (activations) and 8-bit B (weights, stored values),
   * the weight bytes widened to floats next to the multiply-adds. Not exact (float sums); K is not
   * chunked. Rows fewer than the tile stream B once per row with the bytes widened in registers,
   * where reading a quarter of the FP32 weight bytes is what makes it fast.
   */
  public static void multiplyW8(float[] a, int m, PackedB8 b, float[] c, ExecContext ctx) {
    int k = b.k;
    int n = b.n;
    if (!Simd.ENABLED || m < MR) {
      long work = (long) m * n * k;
      ctx.parallelFor(
          b.panels,
          work < Sgemm.PARALLEL_MACS ? b.panels : 1,
          (p0, p1) -> {
            float[] t = new float[NR];
            for (int p = p0; p < p1; p++) {
              int cols = Math.min(NR, n - p * NR);
              for (int i = 0; i < m; i++) {
                if (Simd.ENABLED) {
                  kernel1(a, i * k, b.data, p * k * NR, k, t);
                } else {
                  for (int j = 0; j < cols; j++) {
                    float s = 0;
                    for (int kk = 0; kk < k; kk++) {
                      s += a[i * k + kk] * b.get(kk, p * NR + j);
                    }
                    t[j] = s;
                  }
                }
                System.arraycopy(t, 0, c, i * n + p * NR, cols);
              }
            }
          });
      return;
    }
    float[] buffer = ctx.floats(PackedA.size(m, k));
    run(PackedA.pack(a, 0, k, m, k, buffer), b, null, c, 0, n, k, ctx);
    ctx.recycle(buffer);
  }

  private static void run(
      PackedA pa, PackedB8 b, int[] c, float[] cf, int cOff, int ldc, ExecContext ctx) {
    run(pa, b, c, cf, cOff, ldc, KC, ctx);
  }

  /** The tiled product; K runs in chunks of {@code kc} (C accumulates in int32 between them). */
  private static void run(
      PackedA pa, PackedB8 b, int[] c, float[] cf, int cOff, int ldc, int kc, ExecContext ctx) {
    int m = pa.m();
    int k = b.k;
    int n = b.n;
    if (pa.k() != k) {
      throw new IllegalArgumentException("A has " + pa.k() + " columns, B " + k + " rows");
    }
    if (c != null && !Simd.ENABLED) {
      IgemmReference.multiply(pa, b, c, cOff, ldc);
      return;
    }
    float[] ap = pa.data();
    boolean direct =
        cf != null; // float C takes each tile directly; int C adds it from a float tile
    Tiles.run(
        ctx,
        (long) m * n * k,
        m,
        MC_WIDE,
        b.panels,
        (long) k * NR,
        () -> {
          float[] t = new float[MR * NR];
          float[] panel = new float[Math.min(k, kc) * NR];
          return (p, block) -> {
            int j0 = p * NR;
            int cols = Math.min(NR, n - j0);
            for (int k0 = 0; k0 < k; k0 += kc) {
              int len = Math.min(kc, k - k0);
              // the chunk of the panel widened to floats once, then reused by every row tile
              widen(b.data, p * k * NR + k0 * NR, len * NR, panel);
              for (int i0 = block * MC_WIDE, end = Math.min(m, i0 + MC_WIDE); i0 < end; i0 += MR) {
                int rows = Math.min(MR, m - i0);
                Sgemm.tile(
                    ap,
                    i0 * k + k0 * MR,
                    panel,
                    0,
                    NR,
                    len,
                    Sgemm.ZERO,
                    0,
                    Sgemm.ZERO,
                    0,
                    false,
                    direct ? cf : t,
                    direct ? cOff + i0 * ldc + j0 : 0,
                    direct ? ldc : NR,
                    direct ? rows : MR,
                    direct ? cols : NR,
                    t);
                if (!direct) {
                  add(t, c, cOff + i0 * ldc + j0, ldc, rows, cols, k0 == 0);
                }
              }
            }
          };
        });
  }

  /**
   * C = A * B (overwriting C) for 8-bit A (convolution weights, stored values) and B holding
   * integers of magnitude at most 255 as floats (patches minus the input's zero point). C[i][j] =
   * c[cOff + i*ldc + j].
   */
  public static void multiply(PackedA8 a, PackedB b, int[] c, int cOff, int ldc, ExecContext ctx) {
    int k = b.k;
    int n = b.n;
    if (a.k != k) {
      throw new IllegalArgumentException("A has " + a.k + " columns, B " + k + " rows");
    }
    if (!Simd.ENABLED) {
      IgemmReference.multiply(a, b, c, cOff, ldc);
      return;
    }
    tiles(a, null, 0, null, 0, b.data, n, c, cOff, ldc, ctx);
  }

  /**
   * As {@link #multiply(PackedA8, PackedB, int[], int, int, ExecContext)} with B read in place,
   * B[kk][j] = b[bOff + rows[kk] + j] for j < n (see Sgemm's form with row offsets): a quantized
   * convolution's shifted input through its kernel offsets, without an im2col copy.
   */
  public static void multiply(
      PackedA8 a,
      float[] b,
      int bOff,
      int[] rows,
      int n,
      int[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    int k = a.k;
    if (rows.length < k) {
      throw new IllegalArgumentException("A has " + k + " columns, B " + rows.length + " rows");
    }
    if (!Simd.ENABLED) {
      IgemmReference.multiply(a, b, bOff, rows, n, c, cOff, ldc);
      return;
    }
    float[] tail = Sgemm.tailPanel(b, bOff, rows, k, n, ctx);
    tiles(a, b, bOff, rows, n / NR, tail, n, c, cOff, ldc, ctx);
    ctx.recycle(tail);
  }

  /**
   * The tiles of C = A * B for both forms of B (as Sgemm's): panels p < full read in place (row kk
   * at b[bOff + p * NR + rows[kk]]), the others from {@code packed} (panel p - full, K-major). K
   * runs in exact chunks of {@link #KC}, each 8-row A chunk widened once per tile.
   */
  private static void tiles(
      PackedA8 a,
      float[] b,
      int bOff,
      int[] rows,
      int full,
      float[] packed,
      int n,
      int[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    int m = a.m;
    int k = a.k;
    // the row offsets of each K chunk of the in-place panels
    int chunks = (k + KC - 1) / KC;
    int[][] chunkRows = new int[chunks][];
    for (int q = 0; rows != null && q < chunks; q++) {
      chunkRows[q] = java.util.Arrays.copyOfRange(rows, q * KC, Math.min(k, q * KC + KC));
    }
    Tiles.run(
        ctx,
        (long) m * n * k,
        m,
        MC,
        (n + NR - 1) / NR,
        4L * k * NR,
        () -> {
          float[] t = new float[MR * NR];
          float[] wide = new float[Math.min(k, KC) * MR];
          return (p, block) -> {
            int j0 = p * NR;
            int cols = Math.min(NR, n - j0);
            boolean inPlace = p < full;
            for (int i0 = block * MC, end = Math.min(m, i0 + MC); i0 < end; i0 += MR) {
              for (int k0 = 0, q = 0; k0 < k; k0 += KC, q++) {
                int len = Math.min(KC, k - k0);
                // the 8-row panel chunk widened to floats (1/48 of the multiply-adds it feeds)
                widenScalar(a.data, i0 * k + k0 * MR, len * MR, wide);
                if (inPlace) {
                  SgemmRows.tile(
                      wide,
                      0,
                      b,
                      bOff + j0,
                      chunkRows[q],
                      len,
                      Sgemm.ZERO,
                      0,
                      Sgemm.ZERO,
                      0,
                      false,
                      t,
                      0,
                      NR,
                      MR,
                      NR,
                      t);
                } else {
                  Sgemm.tile(
                      wide,
                      0,
                      packed,
                      (p - full) * k * NR + k0 * NR,
                      NR,
                      len,
                      Sgemm.ZERO,
                      0,
                      Sgemm.ZERO,
                      0,
                      false,
                      t,
                      0,
                      NR,
                      MR,
                      NR,
                      t);
                }
                add(t, c, cOff + i0 * ldc + j0, ldc, Math.min(MR, m - i0), cols, k0 == 0);
              }
            }
          };
        });
  }

  /** Adds (or, for the first chunk, stores) the exact float tile to C as int. */
  private static void add(float[] t, int[] c, int co, int ldc, int rows, int cols, boolean first) {
    for (int r = 0; r < rows; r++) {
      int o = co + r * ldc;
      int s = r * NR;
      int j = 0;
      for (; j <= cols - L; j += L) {
        IntVector v =
            (IntVector) FloatVector.fromArray(S, t, s + j).convert(VectorOperators.F2I, 0);
        if (!first) {
          v = v.add(IntVector.fromArray(IS, c, o + j));
        }
        v.intoArray(c, o + j);
      }
      for (; j < cols; j++) {
        c[o + j] = first ? (int) t[s + j] : c[o + j] + (int) t[s + j];
      }
    }
  }

  /** dst[0, n) = src[o, o + n) as floats; n is a multiple of the vector length. */
  private static void widen(byte[] src, int o, int n, float[] dst) {
    for (int i = 0; i < n; i += L) {
      widen(src, o + i).intoArray(dst, i);
    }
  }

  private static FloatVector widen(byte[] pb, int o) {
    return (FloatVector) ByteVector.fromArray(BS, pb, o).convertShape(VectorOperators.B2F, S, 0);
  }

  /** dst[0, n) = src[o, o + n) as floats, any n. */
  private static void widenScalar(byte[] src, int o, int n, float[] dst) {
    int i = 0;
    for (; i <= n - L; i += L) {
      widen(src, o + i).intoArray(dst, i);
    }
    for (; i < n; i++) {
      dst[i] = src[o + i];
    }
  }

  /** One row: a[ao .. ao+k) times one panel, into {@code t}[0, NR). */
  private static void kernel1(float[] a, int ao, byte[] pb, int po, int k, float[] t) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
    for (int kk = 0, bo = po; kk < k; kk++, bo += NR) {
      FloatVector x = FloatVector.broadcast(S, a[ao + kk]);
      c0 = x.fma(widen(pb, bo), c0);
      c1 = x.fma(widen(pb, bo + L), c1);
      if (!Sgemm.HALF) {
        c2 = x.fma(widen(pb, bo + 2 * L), c2);
      }
    }
    c0.intoArray(t, 0);
    c1.intoArray(t, L);
    if (!Sgemm.HALF) {
      c2.intoArray(t, 2 * L);
    }
  }
}
