package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;

/**
 * How a tensor is quantized: integer type, symmetric or asymmetric range, one scale for the tensor
 * or one per slice along an axis, and optionally a range reduced by one bit.
 *
 * <p>Integer range [qmin, qmax]: the type's full range, except symmetric signed types, which drop
 * the most negative value so the range is symmetric (int8: -127..127), and reduced range, which
 * keeps 7 of 8 bits (int8: -64..63, uint8: 0..127) for CPUs without VNNI whose u8 x s8 pair
 * instructions saturate.
 *
 * @param axis -1 for per-tensor; else the axis that carries one scale per slice (Conv weights: 0)
 */
public record QuantScheme(DType dtype, boolean symmetric, int axis, boolean reduceRange) {

  public QuantScheme {
    if (dtype == null || !dtype.isInteger() || dtype.bits() > 16) {
      throw new OctetException(
          "a quantization scheme needs int8, uint8, int16, uint16, int4 or uint4, got "
              + dtype
              + "; choose one of those");
    }
    if (axis < -1) {
      throw new OctetException("axis must be -1 (per tensor) or a dimension >= 0, got " + axis);
    }
    if (reduceRange && dtype.bits() != 8) {
      throw new OctetException(
          "reduced range applies to 8-bit types only, not " + dtype.onnxName());
    }
  }

  /** ONNX Runtime's default for activations: uint8, asymmetric, per tensor. */
  public static QuantScheme uint8Asymmetric() {
    return new QuantScheme(DType.UINT8, false, -1, false);
  }

  /** int8 symmetric per tensor (weights without per-channel scales). */
  public static QuantScheme int8Symmetric() {
    return new QuantScheme(DType.INT8, true, -1, false);
  }

  /**
   * int8 symmetric with one scale per slice of {@code axis} (Conv axis 0, MatMul weight axis 1).
   */
  public static QuantScheme int8PerChannel(int axis) {
    return new QuantScheme(DType.INT8, true, axis, false);
  }

  public boolean perChannel() {
    return axis >= 0;
  }

  public QuantScheme withAxis(int newAxis) {
    return new QuantScheme(dtype, symmetric, newAxis, reduceRange);
  }

  public int qmin() {
    if (reduceRange) {
      return dtype.isSigned() ? -64 : 0;
    }
    long min = dtype.minValue();
    return (int) (symmetric && dtype.isSigned() ? min + 1 : min);
  }

  public int qmax() {
    if (reduceRange) {
      return dtype.isSigned() ? 63 : 127;
    }
    return (int) dtype.maxValue();
  }

  @Override
  public String toString() {
    return dtype.onnxName()
        + (symmetric ? " symmetric" : " asymmetric")
        + (axis >= 0 ? " per-channel(axis " + axis + ")" : " per-tensor")
        + (reduceRange ? " reduced-range" : "");
  }
}
