package dev.octet.runtime.simd;

/** The naive GEMM that {@link Sgemm} is tested against; also its path when SIMD is off. */
public final class SgemmReference {
  private SgemmReference() {}

  /** C = A * B with B[k][j] = b[bOff + k*ldb + j] (or b[bOff + j*ldb + k] when transposed). */
  public static void multiply(
      float[] a,
      int aOff,
      int lda,
      int m,
      int k,
      float[] b,
      int bOff,
      int ldb,
      boolean bTransposed,
      int n,
      float[] c,
      int cOff,
      int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int kk = 0; kk < k; kk++) {
          float bv = bTransposed ? b[bOff + j * ldb + kk] : b[bOff + kk * ldb + j];
          s = Math.fma(a[aOff + i * lda + kk], bv, s);
        }
        c[cOff + i * ldc + j] = s;
      }
    }
  }

  static void multiplyPacked(
      float[] a, int aOff, int lda, int m, PackedB b, float[] c, int cOff, int ldc) {
    int nr = Sgemm.NR;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < b.n; j++) {
        int base = (j / nr) * b.k * nr + (j % nr);
        float s = 0;
        for (int kk = 0; kk < b.k; kk++) {
          s = Math.fma(a[aOff + i * lda + kk], b.data[base + kk * nr], s);
        }
        c[cOff + i * ldc + j] = s;
      }
    }
  }

  /** C = A * B + bias (Relu when asked) with B[kk][j] = b[bOff + rows[kk] + j]. */
  public static void multiplyRows(
      PackedA a,
      float[] b,
      int bOff,
      int[] rows,
      int n,
      float[] bias,
      int biasOff,
      boolean relu,
      float[] c,
      int cOff,
      int ldc) {
    int mr = Sgemm.MR;
    int k = a.k();
    for (int i = 0; i < a.m(); i++) {
      int base = (i / mr) * k * mr + i % mr;
      for (int j = 0; j < n; j++) {
        float s = bias == null ? 0f : bias[biasOff + i];
        for (int kk = 0; kk < k; kk++) {
          s = Math.fma(a.data()[base + kk * mr], b[bOff + rows[kk] + j], s);
        }
        c[cOff + i * ldc + j] = relu && !(s > 0) && s == s ? 0f : s;
      }
    }
  }
}
