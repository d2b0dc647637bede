package dev.octet.runtime.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised quantization helpers with scalar tails that compute the same bits: the range of a
 * tensor, and quantization straight into zero-point-shifted floats (the integer GEMM's A operand).
 */
public final class QuantVec {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();
  private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
  private static final VectorSpecies<Byte> BS =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

  /** 1.5 * 2^23: adding and subtracting it rounds a float below 2^22 to nearest, ties to even. */
  private static final float MAGIC = 12582912f;

  private QuantVec() {}

  /** {min(0, x...), max(0, x...)}: the range DynamicQuantizeLinear uses. */
  public static float[] rangeWithZero(float[] x, int o, int n) {
    float lo = 0;
    float hi = 0;
    int i = 0;
    if (Simd.ENABLED && n >= L) {
      FloatVector vlo = FloatVector.zero(S);
      FloatVector vhi = vlo;
      for (; i <= n - L; i += L) {
        FloatVector v = FloatVector.fromArray(S, x, o + i);
        vlo = vlo.min(v);
        vhi = vhi.max(v);
      }
      lo = vlo.reduceLanes(VectorOperators.MIN);
      hi = vhi.reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) {
      lo = Math.min(lo, x[o + i]);
      hi = Math.max(hi, x[o + i]);
    }
    return new float[] {lo, hi};
  }

  /**
   * Requantizes a row-major int32 matrix [rows][n] to 8 bits: out[r][j] = saturate(round_half_even(
   * (acc[r][j] + bias[j]) * mult[j]) + zp), as bytes in the same layout.
   */
  public static void requantize(
      int[] acc,
      int rows,
      int n,
      int[] bias,
      float[] mult,
      int zp,
      int qmin,
      int qmax,
      byte[] out) {
    float lo = qmin - zp;
    float hi = qmax - zp;
    for (int r = 0; r < rows; r++) {
      int o = r * n;
      int j = 0;
      if (Simd.ENABLED) {
        FloatVector magic = FloatVector.broadcast(S, MAGIC);
        for (; j <= n - L; j += L) {
          IntVector v = IntVector.fromArray(IS, acc, o + j).add(IntVector.fromArray(IS, bias, j));
          FloatVector f = (FloatVector) v.convert(VectorOperators.I2F, 0);
          f = f.mul(FloatVector.fromArray(S, mult, j)).max(lo).min(hi).add(magic).sub(magic);
          IntVector q = ((IntVector) f.convert(VectorOperators.F2I, 0)).add(zp);
          ((ByteVector) q.convertShape(VectorOperators.I2B, BS, 0)).intoArray(out, o + j);
        }
      }
      for (; j < n; j++) {
        float f = (acc[o + j] + bias[j]) * mult[j];
        f = Math.max(lo, Math.min(hi, f));
        out[o + j] = (byte) ((int) Math.rint(f) + zp);
      }
    }
  }

  /**
   * out[i] = saturate(round_half_even(x[i] / scale) + zp, qmin, qmax) - zp, i.e. the quantized
   * value minus its zero point, as a float; NaN quantizes to the zero point (0 here).
   */
  public static void quantizeShifted(
      float[] x, int o, int n, float scale, int zp, int qmin, int qmax, float[] out, int oo) {
    float lo = qmin - zp;
    float hi = qmax - zp;
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector vs = FloatVector.broadcast(S, scale);
      FloatVector magic = FloatVector.broadcast(S, MAGIC);
      for (; i <= n - L; i += L) {
        FloatVector v = FloatVector.fromArray(S, x, o + i).div(vs);
        v = v.max(lo).min(hi); // inside +-2^22 now, so the rounding below is exact
        v = v.add(magic).sub(magic);
        v = v.blend(0f, v.test(VectorOperators.IS_NAN));
        v.intoArray(out, oo + i);
      }
    }
    for (; i < n; i++) {
      float v = x[o + i] / scale;
      v = Math.min(hi, Math.max(lo, v));
      out[oo + i] = v != v ? 0f : (float) Math.rint(v);
    }
  }
}
