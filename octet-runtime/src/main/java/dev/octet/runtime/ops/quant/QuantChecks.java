package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;

/**
 * Planning-time checks of quantization parameters that are constants: a bad scale or zero point is
 * an error naming the node before anything runs, instead of NaNs or wrapped integers later.
 */
final class QuantChecks {
  private QuantChecks() {}

  /**
   * Scales finite and greater than 0; a zero point of an 8- or 16-bit integer type (or int32);
   * scale and zero point of the same length; one value unless {@code perAxis} is allowed.
   */
  static void scalesAndZeroPoints(OpContext op, int scaleInput, int zpInput, boolean perAxis) {
    String scaleName = op.node().input(scaleInput);
    Tensor scale = op.constant(scaleInput);
    if (scale != null) {
      float[] s = scale.toFloatArray();
      for (int i = 0; i < s.length; i++) {
        if (!(s[i] > 0) || Float.isInfinite(s[i])) {
          throw op.error(
              "scale '"
                  + scaleName
                  + "'["
                  + i
                  + "] is "
                  + s[i]
                  + "; scales must be finite and greater than 0 (re-quantize the model)");
        }
      }
      if (!perAxis && s.length != 1) {
        throw op.error(
            "scale '" + scaleName + "' has " + s.length + " values where one is expected");
      }
    }
    Tensor zp = zpInput < op.inputCount() && op.hasInput(zpInput) ? op.constant(zpInput) : null;
    if (zp == null) {
      return;
    }
    String zpName = op.node().input(zpInput);
    if (!Numeric.integral(zp.dtype()) || zp.dtype() == DType.INT64 || zp.dtype() == DType.UINT64) {
      throw op.error(
          "zero point '"
              + zpName
              + "' has type "
              + zp.dtype().onnxName()
              + "; expected an integer type");
    }
    if (scale != null && scale.size() != zp.size()) {
      throw op.error(
          "scale '"
              + scaleName
              + "' has "
              + scale.size()
              + " values but zero point '"
              + zpName
              + "' has "
              + zp.size());
    }
  }

  /** The type of a zero point must be that of the integer tensor it belongs to. */
  static void sameType(OpContext op, int valueInput, int zpInput) {
    Tensor v = op.constant(valueInput);
    Tensor zp = op.hasInput(zpInput) ? op.constant(zpInput) : null;
    if (v != null && zp != null && v.dtype() != zp.dtype()) {
      throw op.error(
          "'"
              + op.node().input(valueInput)
              + "' is "
              + v.dtype().onnxName()
              + " but its zero point '"
              + op.node().input(zpInput)
              + "' is "
              + zp.dtype().onnxName());
    }
  }
}
