package dev.octet.runtime.ops.linalg;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;

/**
 * A batch of independent float GEMMs, C_i = A_i B_i (+ bias per column), each operand at its own
 * offset with a row stride; B_i packed per product (it is an activation, not a weight). One product
 * runs its GEMM on all threads; several run one per thread.
 */
final class BatchedGemm {
  private BatchedGemm() {}

  /**
   * For i in [0, offA.length): A_i[r][kk] = a[offA[i] + r * lda + kk]; B_i[kk][j] = b[offB[i] + kk
   * * ldb + j], or b[offB[i] + j * ldb + kk] when {@code transB}; C_i[r][j] = c[offC[i] + r * ldc +
   * j]; bias padded as {@link Sgemm#padColumns} gives it, or null.
   */
  static void run(
      ExecContext ctx,
      float[] a,
      int[] offA,
      int lda,
      float[] b,
      int[] offB,
      int ldb,
      boolean transB,
      int m,
      int k,
      int n,
      float[] bias,
      float[] c,
      int[] offC,
      int ldc) {
    int batches = offA.length;
    ExecContext inner = batches == 1 ? ctx : ctx.serial();
    ctx.parallelFor(
        batches,
        1,
        (s, e) -> {
          float[] buffer = inner.floats(PackedB.size(k, n));
          for (int i = s; i < e; i++) {
            PackedB pb = PackedB.pack(b, offB[i], ldb, k, n, transB, buffer);
            Sgemm.multiply(a, offA[i], lda, m, pb, bias, c, offC[i], ldc, inner);
          }
          inner.recycle(buffer);
        });
  }
}
