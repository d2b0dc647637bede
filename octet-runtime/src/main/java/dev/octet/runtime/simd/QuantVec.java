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

  /** dst[i] = src[o + i] - zp for n 8-bit values (uint8 when {@code unsigned}), as floats. */
  public static void widenShifted(byte[] src, int o, int n, boolean unsigned, int zp, float[] dst) {
    widenShifted(src, o, n, unsigned, zp, dst, 0);
  }

  /** As above, writing dst[d + i]. */
  public static void widenShifted(
      byte[] src, int o, int n, boolean unsigned, int zp, float[] dst, int d) {
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector z = FloatVector.broadcast(S, zp);
      VectorOperators.Conversion<Byte, Integer> widen =
          unsigned ? VectorOperators.ZERO_EXTEND_B2I : VectorOperators.B2I;
      for (; i <= n - L; i += L) {
        IntVector v = (IntVector) ByteVector.fromArray(BS, src, o + i).convertShape(widen, IS, 0);
        ((FloatVector) v.convert(VectorOperators.I2F, 0)).sub(z).intoArray(dst, d + i);
      }
    }
    for (; i < n; i++) {
      dst[d + i] = (unsigned ? src[o + i] & 0xff : src[o + i]) - zp;
    }
  }

  /** QuantizeLinear per tensor to 8 bits: out[i] = saturate(round_half_even(x[i] / scale) + zp). */
  public static void quantize8(
      float[] x, int n, float scale, int zp, int qmin, int qmax, byte[] out) {
    float lo = qmin - zp;
    float hi = qmax - zp;
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector vs = FloatVector.broadcast(S, scale);
      FloatVector magic = FloatVector.broadcast(S, MAGIC);
      for (; i <= n - L; i += L) {
        FloatVector v = level(FloatVector.fromArray(S, x, i), vs, lo, hi, magic);
        IntVector q = ((IntVector) v.convert(VectorOperators.F2I, 0)).add(zp);
        ((ByteVector) q.convertShape(VectorOperators.I2B, BS, 0)).intoArray(out, i);
      }
    }
    for (; i < n; i++) {
      out[i] = (byte) ((int) level(x[i], scale, lo, hi) + zp);
    }
  }

  /** DequantizeLinear per tensor from 8 bits: out[i] = (q[i] - zp) * scale. */
  public static void dequantize8(
      byte[] q, int n, boolean unsigned, int zp, float scale, float[] out) {
    widenShifted(q, 0, n, unsigned, zp, out);
    int i = 0;
    if (Simd.ENABLED) {
      for (; i <= n - L; i += L) {
        FloatVector.fromArray(S, out, i).mul(scale).intoArray(out, i);
      }
    }
    for (; i < n; i++) {
      out[i] *= scale;
    }
  }

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
   * Requantizes acc[o, o + n) to 8 bits with one bias and multiplier: out[i] = saturate(
   * round_half_even((acc[i] + bias) * mult) + zp), written at the same index.
   */
  public static void requantize(
      int[] acc, int o, int n, int bias, float mult, int zp, int qmin, int qmax, byte[] out) {
    float lo = qmin - zp;
    float hi = qmax - zp;
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector magic = FloatVector.broadcast(S, MAGIC);
      for (; i <= n - L; i += L) {
        IntVector v = IntVector.fromArray(IS, acc, o + i).add(bias);
        FloatVector f = (FloatVector) v.convert(VectorOperators.I2F, 0);
        store8(f.mul(mult), lo, hi, magic, zp, out, o + i);
      }
    }
    for (; i < n; i++) {
      out[o + i] = byte8((acc[o + i] + bias) * mult, lo, hi, zp);
    }
  }

  /**
   * Requantizes a row-major int32 matrix [rows][n] with one multiplier per column: out[r][j] =
   * saturate(round_half_even(acc[r][j] * mult[j]) + zp), same layout.
   */
  public static void requantizeColumns(
      int[] acc, int rows, int n, float[] mult, int zp, int qmin, int qmax, byte[] out) {
    float lo = qmin - zp;
    float hi = qmax - zp;
    for (int r = 0; r < rows; r++) {
      int o = r * n;
      int j = 0;
      if (Simd.ENABLED) {
        FloatVector magic = FloatVector.broadcast(S, MAGIC);
        for (; j <= n - L; j += L) {
          FloatVector f =
              (FloatVector) IntVector.fromArray(IS, acc, o + j).convert(VectorOperators.I2F, 0);
          store8(f.mul(FloatVector.fromArray(S, mult, j)), lo, hi, magic, zp, out, o + j);
        }
      }
      for (; j < n; j++) {
        out[o + j] = byte8(acc[o + j] * mult[j], lo, hi, zp);
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
        level(FloatVector.fromArray(S, x, o + i), vs, lo, hi, magic).intoArray(out, oo + i);
      }
    }
    for (; i < n; i++) {
      out[oo + i] = level(x[o + i], scale, lo, hi);
    }
  }

  /** Stores round_half_even(clamp(f, lo, hi)) + zp as bytes at out[o..o+L). */
  private static void store8(
      FloatVector f, float lo, float hi, FloatVector magic, int zp, byte[] out, int o) {
    FloatVector r = f.max(lo).min(hi).add(magic).sub(magic);
    IntVector q = ((IntVector) r.convert(VectorOperators.F2I, 0)).add(zp);
    ((ByteVector) q.convertShape(VectorOperators.I2B, BS, 0)).intoArray(out, o);
  }

  /** The scalar form of {@link #store8}. */
  private static byte byte8(float f, float lo, float hi, int zp) {
    return (byte) ((int) Math.rint(Math.max(lo, Math.min(hi, f))) + zp);
  }

  /**
   * The quantized level minus the zero point: round_half_even(clamp(x / scale, lo, hi)), NaN to 0.
   * Clamping first keeps |v| below 2^22, where adding and subtracting MAGIC rounds exactly.
   */
  private static FloatVector level(
      FloatVector x, FloatVector scale, float lo, float hi, FloatVector magic) {
    FloatVector v = x.div(scale).max(lo).min(hi).add(magic).sub(magic);
    return v.blend(0f, v.test(VectorOperators.IS_NAN));
  }

  /** The scalar form of {@link #level(FloatVector, FloatVector, float, float, FloatVector)}. */
  private static float level(float x, float scale, float lo, float hi) {
    float v = Math.min(hi, Math.max(lo, x / scale));
    return v != v ? 0f : (float) Math.rint(v);
  }
}
