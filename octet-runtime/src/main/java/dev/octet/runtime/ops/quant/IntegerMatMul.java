package dev.octet.runtime.ops.quant;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;

/**
 * Exact integer matrix product Y[M][N] = sum_k (A[m][k] - za[m]) * (B[k][n] - zb[n]) at SGEMM
 * speed: the zero-point-shifted 8-bit values are exact in float, and so is every partial sum below
 * 2^24. K is split into chunks short enough that chunk * max|A - za| * max|B - zb| < 2^24; each
 * chunk runs on the float GEMM and is added to the int32 result as an integer.
 */
public final class IntegerMatMul {
  private static final double EXACT = 1 << 24;

  private IntegerMatMul() {}

  /** B with its zero points subtracted, as float [K][N], and its largest magnitude. */
  public record ShiftedB(float[] values, int k, int n, float maxAbs) {
    public static ShiftedB of(long[] b, int k, int n, long[] zb) {
      float[] v = new float[k * n];
      float m = 0;
      for (int kk = 0; kk < k; kk++) {
        for (int j = 0; j < n; j++) {
          float x = b[kk * n + j] - zb[zb.length == 1 ? 0 : j];
          v[kk * n + j] = x;
          m = Math.max(m, Math.abs(x));
        }
      }
      return new ShiftedB(v, k, n, m);
    }
  }

  /**
   * @param a A's values [M][K]
   * @param za A's zero point: one, or one per row
   * @return Y [M][N] as int32
   */
  public static int[] multiply(long[] a, int m, int k, long[] za, ShiftedB b, ExecContext ctx) {
    if (b.k() != k) {
      throw new OctetException(
          "inner dimensions differ: A has " + k + " columns, B " + b.k() + " rows");
    }
    int n = b.n();
    float[] af = new float[m * k];
    float maxA = 0;
    for (int i = 0; i < m; i++) {
      long z = za[za.length == 1 ? 0 : i];
      for (int kk = 0; kk < k; kk++) {
        float x = a[i * k + kk] - z;
        af[i * k + kk] = x;
        maxA = Math.max(maxA, Math.abs(x));
      }
    }
    double perStep = Math.max(1.0, (double) maxA * b.maxAbs());
    int chunk = (int) Math.max(1, Math.min(k, Math.floor((EXACT - 1) / perStep)));
    int[] y = new int[m * n];
    float[] part = new float[m * n];
    for (int k0 = 0; k0 < k; k0 += chunk) {
      int len = Math.min(chunk, k - k0);
      PackedB pb = PackedB.pack(b.values(), k0 * n, n, len, n, false);
      Sgemm.multiply(af, k0, k, m, pb, part, 0, n, ctx);
      for (int i = 0; i < y.length; i++) {
        y[i] += (int) part[i];
      }
    }
    return y;
  }

  /** The values of a tensor of any 8-bit (or wider) integer type. */
  static long[] values(Tensor t) {
    if (!Numeric.integral(t.dtype())) {
      throw new OctetException("expected an integer tensor, got " + t.dtype().onnxName());
    }
    return Numeric.toLongs(t);
  }
}
