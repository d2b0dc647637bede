package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, C[M][N] = A[M][K] * B[K][N], with B packed ({@link PackedB}).
 *
 * <p>Register blocking: the micro-kernel keeps an 8 x NR tile of C in 24 vector registers (NR = 3
 * vectors, 48 floats with AVX-512), broadcasts one A element per row and k, and runs the whole K
 * loop before storing. Work is split over (panel, row-block) tiles; every C element is computed by
 * one micro-kernel call with k in order, so results do not depend on the thread count. {@link
 * SgemmReference} is the naive loop it is tested against.
 */
public final class Sgemm {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  /** Rows of the micro-kernel tile. */
  public static final int MR = 8;

  /** Columns of the micro-kernel tile (3 vectors). */
  public static final int NR = 3 * L;

  private Sgemm() {}

  /** C = A * B (overwriting C). A[i][k] = a[aOff + i*lda + k]; C[i][j] = c[cOff + i*ldc + j]. */
  public static void multiply(
      float[] a,
      int aOff,
      int lda,
      int m,
      PackedB b,
      float[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    int k = b.k;
    int n = b.n;
    if (!Simd.ENABLED) {
      SgemmReference.multiplyPacked(a, aOff, lda, m, b, c, cOff, ldc);
      return;
    }
    int rowBlocks = (m + MR - 1) / MR;
    int tiles = rowBlocks * b.panels;
    long work = (long) m * n * k;
    int grain = work < (1 << 18) ? tiles : Math.max(1, tiles / (ctx.threads() * 8));
    ctx.parallelFor(
        tiles,
        grain,
        (t0, t1) -> {
          for (int t = t0; t < t1; t++) {
            int p = t / rowBlocks;
            int rb = t % rowBlocks;
            int i0 = rb * MR;
            int j0 = p * NR;
            int cols = Math.min(NR, n - j0);
            int pOff = p * k * NR;
            int rows = Math.min(MR, m - i0);
            if (rows == MR) {
              kernel8(a, aOff + i0 * lda, lda, b.data, pOff, k, c, cOff + i0 * ldc + j0, ldc, cols);
            } else {
              for (int r = 0; r < rows; r++) {
                kernel1(
                    a, aOff + (i0 + r) * lda, b.data, pOff, k, c, cOff + (i0 + r) * ldc + j0, cols);
              }
            }
          }
        });
  }

  private static void kernel8(
      float[] a, int ao, int lda, float[] pb, int po, int k, float[] c, int co, int ldc, int cols) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00;
    FloatVector c40 = c00, c41 = c00, c42 = c00;
    FloatVector c50 = c00, c51 = c00, c52 = c00;
    FloatVector c60 = c00, c61 = c00, c62 = c00;
    FloatVector c70 = c00, c71 = c00, c72 = c00;
    int a1 = ao + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int a4 = a3 + lda;
    int a5 = a4 + lda;
    int a6 = a5 + lda;
    int a7 = a6 + lda;
    for (int kk = 0, bo = po; kk < k; kk++, bo += NR) {
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + L);
      FloatVector b2 = FloatVector.fromArray(S, pb, bo + 2 * L);
      FloatVector x = FloatVector.broadcast(S, a[ao + kk]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, a[a1 + kk]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      x = FloatVector.broadcast(S, a[a2 + kk]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      x = FloatVector.broadcast(S, a[a3 + kk]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
      x = FloatVector.broadcast(S, a[a4 + kk]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      c42 = x.fma(b2, c42);
      x = FloatVector.broadcast(S, a[a5 + kk]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      c52 = x.fma(b2, c52);
      x = FloatVector.broadcast(S, a[a6 + kk]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      c62 = x.fma(b2, c62);
      x = FloatVector.broadcast(S, a[a7 + kk]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
      c72 = x.fma(b2, c72);
    }
    store(c, co, cols, c00, c01, c02);
    store(c, co + ldc, cols, c10, c11, c12);
    store(c, co + 2 * ldc, cols, c20, c21, c22);
    store(c, co + 3 * ldc, cols, c30, c31, c32);
    store(c, co + 4 * ldc, cols, c40, c41, c42);
    store(c, co + 5 * ldc, cols, c50, c51, c52);
    store(c, co + 6 * ldc, cols, c60, c61, c62);
    store(c, co + 7 * ldc, cols, c70, c71, c72);
  }

  private static void kernel1(
      float[] a, int ao, float[] pb, int po, int k, float[] c, int co, int cols) {
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
    for (int kk = 0, bo = po; kk < k; kk++, bo += NR) {
      FloatVector x = FloatVector.broadcast(S, a[ao + kk]);
      c0 = x.fma(FloatVector.fromArray(S, pb, bo), c0);
      c1 = x.fma(FloatVector.fromArray(S, pb, bo + L), c1);
      c2 = x.fma(FloatVector.fromArray(S, pb, bo + 2 * L), c2);
    }
    store(c, co, cols, c0, c1, c2);
  }

  private static void store(
      float[] c, int co, int cols, FloatVector v0, FloatVector v1, FloatVector v2) {
    if (cols == NR) {
      v0.intoArray(c, co);
      v1.intoArray(c, co + L);
      v2.intoArray(c, co + 2 * L);
      return;
    }
    storePart(c, co, cols, v0);
    storePart(c, co + L, cols - L, v1);
    storePart(c, co + 2 * L, cols - 2 * L, v2);
  }

  private static void storePart(float[] c, int co, int cols, FloatVector v) {
    if (cols >= L) {
      v.intoArray(c, co);
    } else if (cols > 0) {
      VectorMask<Float> m = S.indexInRange(0, cols);
      v.intoArray(c, co, m);
    }
  }
}
