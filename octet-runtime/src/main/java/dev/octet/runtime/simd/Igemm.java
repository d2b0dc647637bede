package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact integer GEMM, C[M][N] = A[M][K] * B[K][N] in int32, for 8-bit B packed into byte panels
 * ({@link PackedB8}) and A holding integers of magnitude at most 255 (zero-point-shifted 8-bit
 * activations) given as floats.
 *
 * <p>The Vector API has no byte dot product, so the products are computed in float: each B vector
 * is loaded as 16 bytes and widened to floats in registers (reused by the 8 rows of the tile), and
 * every product and partial sum is an integer below 2^24, hence exact. K runs in chunks of {@link
 * #KC} (255 * 128 * 512 < 2^24); each chunk's sums are converted to int and added. The tiling is
 * {@link Sgemm}'s (8 x 48 tile, 64-row blocks), so results do not depend on the thread count and
 * equal {@link IgemmReference}'s bit for bit.
 */
public final class Igemm {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();
  private static final VectorSpecies<Byte> BS =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
  private static final int MR = Sgemm.MR;
  private static final int NR = Sgemm.NR;
  private static final int MC = 64;

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
          work < (1 << 20) ? b.panels : 1,
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
    float[] ap = PackedA.pack(a, aOff, lda, m, k).data();
    int blocks = (m + MC - 1) / MC;
    int group = Math.max(1, Math.min(b.panels, (512 * 1024) / (k * NR)));
    int groups = (b.panels + group - 1) / group;
    int tiles = groups * blocks * group;
    ctx.parallelFor(
        tiles,
        work < (1 << 20) ? tiles : 1,
        (t0, t1) -> {
          float[] t = new float[MR * NR];
          for (int tile = t0; tile < t1; tile++) {
            int g = tile / (blocks * group);
            int block = (tile / group) % blocks;
            int p = g * group + tile % group;
            if (p >= b.panels) {
              continue;
            }
            int j0 = p * NR;
            int cols = Math.min(NR, n - j0);
            for (int i0 = block * MC, end = Math.min(m, i0 + MC); i0 < end; i0 += MR) {
              for (int k0 = 0; k0 < k; k0 += KC) {
                int len = Math.min(KC, k - k0);
                kernel8(ap, i0 * k + k0 * MR, b.data, p * k * NR + k0 * NR, len, t);
                add(t, c, cOff + i0 * ldc + j0, ldc, Math.min(MR, m - i0), cols, k0 == 0);
              }
            }
          }
        });
  }

  /** Adds (or, for the first chunk, stores) the exact float tile to C as int. */
  private static void add(float[] t, int[] c, int co, int ldc, int rows, int cols, boolean first) {
    for (int r = 0; r < rows; r++) {
      int o = co + r * ldc;
      int s = r * NR;
      if (first) {
        for (int j = 0; j < cols; j++) {
          c[o + j] = (int) t[s + j];
        }
      } else {
        for (int j = 0; j < cols; j++) {
          c[o + j] += (int) t[s + j];
        }
      }
    }
  }

  private static FloatVector widen(byte[] pb, int o) {
    return (FloatVector) ByteVector.fromArray(BS, pb, o).convertShape(VectorOperators.B2F, S, 0);
  }

  /** One 8 x NR tile over {@code k} steps into the scratch tile {@code t} (row stride NR). */
  private static void kernel8(float[] ap, int ao, byte[] pb, int po, int k, float[] t) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00;
    FloatVector c40 = c00, c41 = c00, c42 = c00;
    FloatVector c50 = c00, c51 = c00, c52 = c00;
    FloatVector c60 = c00, c61 = c00, c62 = c00;
    FloatVector c70 = c00, c71 = c00, c72 = c00;
    for (int kk = 0, bo = po, ak = ao; kk < k; kk++, bo += NR, ak += MR) {
      FloatVector b0 = widen(pb, bo);
      FloatVector b1 = widen(pb, bo + L);
      FloatVector b2 = widen(pb, bo + 2 * L);
      FloatVector x = FloatVector.broadcast(S, ap[ak]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, ap[ak + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      x = FloatVector.broadcast(S, ap[ak + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      x = FloatVector.broadcast(S, ap[ak + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
      x = FloatVector.broadcast(S, ap[ak + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      c42 = x.fma(b2, c42);
      x = FloatVector.broadcast(S, ap[ak + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      c52 = x.fma(b2, c52);
      x = FloatVector.broadcast(S, ap[ak + 6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      c62 = x.fma(b2, c62);
      x = FloatVector.broadcast(S, ap[ak + 7]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
      c72 = x.fma(b2, c72);
    }
    c00.intoArray(t, 0);
    c01.intoArray(t, L);
    c02.intoArray(t, 2 * L);
    c10.intoArray(t, NR);
    c11.intoArray(t, NR + L);
    c12.intoArray(t, NR + 2 * L);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + L);
    c22.intoArray(t, 2 * NR + 2 * L);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + L);
    c32.intoArray(t, 3 * NR + 2 * L);
    c40.intoArray(t, 4 * NR);
    c41.intoArray(t, 4 * NR + L);
    c42.intoArray(t, 4 * NR + 2 * L);
    c50.intoArray(t, 5 * NR);
    c51.intoArray(t, 5 * NR + L);
    c52.intoArray(t, 5 * NR + 2 * L);
    c60.intoArray(t, 6 * NR);
    c61.intoArray(t, 6 * NR + L);
    c62.intoArray(t, 6 * NR + 2 * L);
    c70.intoArray(t, 7 * NR);
    c71.intoArray(t, 7 * NR + L);
    c72.intoArray(t, 7 * NR + 2 * L);
  }

  /** One row: a[ao .. ao+k) times one panel, into {@code t}[0, NR). */
  private static void kernel1(float[] a, int ao, byte[] pb, int po, int k, float[] t) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
    for (int kk = 0, bo = po; kk < k; kk++, bo += NR) {
      FloatVector x = FloatVector.broadcast(S, a[ao + kk]);
      c0 = x.fma(widen(pb, bo), c0);
      c1 = x.fma(widen(pb, bo + L), c1);
      c2 = x.fma(widen(pb, bo + 2 * L), c2);
    }
    c0.intoArray(t, 0);
    c1.intoArray(t, L);
    c2.intoArray(t, 2 * L);
  }
}
