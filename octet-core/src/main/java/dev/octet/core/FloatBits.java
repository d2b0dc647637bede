package dev.octet.core;

/** Bit-level conversions for number formats that Java lacks (bfloat16, unsigned 64-bit). */
public final class FloatBits {
  private FloatBits() {}

  /** bfloat16 is the upper half of an IEEE float. */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Rounds to nearest even, as ONNX's Cast does; NaN stays a (quiet) NaN. */
  public static short floatToBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7FFF + lsb) >>> 16);
  }

  public static double unsignedLongToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }
}
