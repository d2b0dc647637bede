package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;

/** Reading and writing 8-bit quantized tensors for the QLinear kernels. */
final class QValues {
  private QValues() {}

  /** The values of a uint8 or int8 tensor. */
  static int[] ints(Tensor t, String what) {
    boolean unsigned = IntegerMatMul.eightBit(t, what);
    byte[] b = t.bytes();
    int[] v = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      v[i] = unsigned ? b[i] & 0xff : b[i];
    }
    return v;
  }

  /** The one value of a scale tensor. */
  static float scale(Tensor t, String what) {
    if (t == null || t.size() != 1) {
      throw new OctetException(what + " must be one value");
    }
    return t.toFloatArray()[0];
  }

  /** The one value of a zero point tensor (0 when absent). */
  static int zeroPoint(Tensor t) {
    return t == null ? 0 : IntegerMatMul.zeroPoints(t)[0];
  }

  /** q = saturate(round_half_even(x / scale) + zp) for each x, as a tensor of {@code type}. */
  static Tensor quantize(float[] x, int[] shape, float scale, int zp, DType type) {
    byte[] out = new byte[x.length];
    long lo = type.minValue();
    long hi = type.maxValue();
    for (int i = 0; i < x.length; i++) {
      out[i] = (byte) QuantizeLinear.quantize(x[i], scale, zp, lo, hi);
    }
    return Tensor.wrap(type, shape, out);
  }

  /** (q - zp) * scale for each value. */
  static float[] dequantize(Tensor q, float scale, int zp, String what) {
    int[] v = ints(q, what);
    float[] x = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      x[i] = (v[i] - zp) * scale;
    }
    return x;
  }

  /** The type of the zero point tensor, or uint8 when it is absent (ONNX's default). */
  static DType typeOf(Tensor zp) {
    return zp == null ? DType.UINT8 : zp.dtype();
  }
}
