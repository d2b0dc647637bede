package dev.octet.runtime.ops;

import dev.octet.core.DType;
import dev.octet.core.FloatBits;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;

/**
 * Element-wise access to any numeric tensor as doubles or longs, and back. The generic (slow) path
 * for dtypes that have no dedicated kernel loop; float32 kernels never go through it.
 */
public final class Numeric {
  private Numeric() {}

  public static double[] toDoubles(Tensor t) {
    if (t.dtype() == DType.DOUBLE) {
      return t.doubles().clone();
    }
    double[] out = new double[t.size()];
    if (t.dtype() == DType.FLOAT) {
      float[] f = t.floats();
      for (int i = 0; i < out.length; i++) {
        out[i] = f[i];
      }
      return out;
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getDouble(i);
    }
    return out;
  }

  /** Integers exactly; floats truncated toward zero (as C++'s static_cast does). */
  public static long[] toLongs(Tensor t) {
    long[] out = new long[t.size()];
    switch (t.dtype()) {
      case INT64, UINT64 -> System.arraycopy(t.longs(), 0, out, 0, out.length);
      case INT32 -> {
        int[] v = t.ints();
        for (int i = 0; i < out.length; i++) {
          out[i] = v[i];
        }
      }
      default -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (long) t.getDouble(i);
        }
      }
    }
    return out;
  }

  /** Float types rounded to their precision; integer types truncated and wrapped to their width. */
  public static Tensor fromDoubles(DType type, int[] shape, double[] v) {
    if (type.isInteger() || type == DType.BOOL) {
      long[] l = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        l[i] = type == DType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
      }
      return fromLongs(type, shape, l);
    }
    Object data = Tensor.allocate(type, v.length);
    switch (type) {
      case FLOAT -> {
        float[] f = (float[]) data;
        for (int i = 0; i < v.length; i++) {
          f[i] = (float) v[i];
        }
      }
      case DOUBLE -> System.arraycopy(v, 0, data, 0, v.length);
      case FLOAT16 -> {
        short[] s = (short[]) data;
        for (int i = 0; i < v.length; i++) {
          s[i] = Float.floatToFloat16((float) v[i]);
        }
      }
      case BFLOAT16 -> {
        short[] s = (short[]) data;
        for (int i = 0; i < v.length; i++) {
          s[i] = FloatBits.floatToBfloat16((float) v[i]);
        }
      }
      default -> throw new OctetException("cannot produce " + type.onnxName() + " values");
    }
    return Tensor.wrap(type, shape, data);
  }

  public static Tensor fromLongs(DType type, int[] shape, long[] v) {
    if (type.isFloatingPoint()) {
      double[] d = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        d[i] = type == DType.DOUBLE || type == DType.FLOAT ? (double) v[i] : v[i];
      }
      return fromDoubles(type, shape, d);
    }
    Object data = Tensor.allocate(type, v.length);
    switch (type.storage()) {
      case BYTE -> {
        byte[] b = (byte[]) data;
        for (int i = 0; i < v.length; i++) {
          b[i] = type == DType.BOOL ? (byte) (v[i] != 0 ? 1 : 0) : (byte) v[i];
        }
      }
      case SHORT -> {
        short[] s = (short[]) data;
        for (int i = 0; i < v.length; i++) {
          s[i] = (short) v[i];
        }
      }
      case INT -> {
        int[] s = (int[]) data;
        for (int i = 0; i < v.length; i++) {
          s[i] = (int) v[i];
        }
      }
      case LONG -> System.arraycopy(v, 0, data, 0, v.length);
      default -> throw new OctetException("cannot produce " + type.onnxName() + " values");
    }
    return Tensor.wrap(type, shape, data);
  }

  /** The two inputs of a binary op must share their element type. */
  public static void requireSameType(Tensor a, Tensor b) {
    if (a.dtype() != b.dtype()) {
      throw new OctetException(
          "inputs have different types: " + a.dtype().onnxName() + " and " + b.dtype().onnxName());
    }
  }

  /** Whether values of this type are handled as integers (longs) rather than doubles. */
  public static boolean integral(DType t) {
    return t.isInteger() || t == DType.BOOL;
  }
}
