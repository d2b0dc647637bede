package dev.octet.runtime.simd;

/** The scalar integer GEMM that {@link Igemm} is tested against and falls back to. */
public final class IgemmReference {
  private IgemmReference() {}

  /** C[i][j] = sum_k (int) a[aOff + i*lda + k] * B[k][j] in int32 (B's stored values). */
  public static void multiply(
      float[] a, int aOff, int lda, int m, PackedB8 b, int[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < b.n; j++) {
        int s = 0;
        for (int kk = 0; kk < b.k; kk++) {
          s += (int) a[aOff + i * lda + kk] * b.get(kk, j);
        }
        c[cOff + i * ldc + j] = s;
      }
    }
  }

  /** As {@link #multiply(float[], int, int, int, PackedB8, int[], int, int)} with A packed. */
  public static void multiply(PackedA a, PackedB8 b, int[] c, int cOff, int ldc) {
    int mr = Sgemm.MR;
    float[] rows = new float[a.m() * a.k()];
    for (int i = 0; i < a.m(); i++) {
      for (int kk = 0; kk < a.k(); kk++) {
        rows[i * a.k() + kk] = a.data()[(i / mr) * a.k() * mr + kk * mr + i % mr];
      }
    }
    multiply(rows, 0, a.k(), a.m(), b, c, cOff, ldc);
  }

  /** C[i][j] = sum_k A[i][k] * (int) B[k][j] in int32 (A's stored values, B packed floats). */
  public static void multiply(PackedA8 a, PackedB b, int[] c, int cOff, int ldc) {
    float[] pb = b.data;
    for (int i = 0; i < a.m; i++) {
      for (int j = 0; j < b.n; j++) {
        int s = 0;
        int col = (j / Sgemm.NR) * b.k * Sgemm.NR + j % Sgemm.NR;
        for (int kk = 0; kk < b.k; kk++) {
          s += a.get(i, kk) * (int) pb[col + kk * Sgemm.NR];
        }
        c[cOff + i * ldc + j] = s;
      }
    }
  }

  /** C = A * B with B[kk][j] = b[bOff + rows[kk] + j] (integers as floats). */
  public static void multiply(
      PackedA8 a, float[] b, int bOff, int[] rows, int n, int[] c, int cOff, int ldc) {
    for (int i = 0; i < a.m; i++) {
      for (int j = 0; j < n; j++) {
        int s = 0;
        for (int kk = 0; kk < a.k; kk++) {
          s += a.get(i, kk) * (int) b[bOff + rows[kk] + j];
        }
        c[cOff + i * ldc + j] = s;
      }
    }
  }
}
