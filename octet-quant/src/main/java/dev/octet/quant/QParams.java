package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import java.util.Arrays;

/**
 * Quantization parameters of one tensor: a scale and zero point per tensor (arrays of length 1,
 * axis -1) or per slice along {@code axis}. q = clamp(round_half_even(x / scale) + zeroPoint, qmin,
 * qmax); x' = (q - zeroPoint) * scale.
 */
public record QParams(DType dtype, float[] scales, int[] zeroPoints, int axis, int qmin, int qmax) {

  public QParams {
    if (scales.length == 0 || scales.length != zeroPoints.length) {
      throw new OctetException(
          "quantization parameters need as many zero points ("
              + zeroPoints.length
              + ") as scales ("
              + scales.length
              + "), at least one");
    }
    if (axis < 0 && scales.length != 1) {
      throw new OctetException("per-tensor parameters have one scale, got " + scales.length);
    }
    for (int i = 0; i < scales.length; i++) {
      if (!(scales[i] > 0) || Float.isInfinite(scales[i])) {
        throw new OctetException(
            "scale " + i + " is " + scales[i] + "; scales must be finite and > 0");
      }
      if (zeroPoints[i] < qmin || zeroPoints[i] > qmax) {
        throw new OctetException(
            "zero point " + i + " is " + zeroPoints[i] + ", outside " + qmin + ".." + qmax);
      }
    }
    scales = scales.clone();
    zeroPoints = zeroPoints.clone();
  }

  @Override
  public float[] scales() {
    return scales.clone();
  }

  @Override
  public int[] zeroPoints() {
    return zeroPoints.clone();
  }

  public float scale(int channel) {
    return scales[axis < 0 ? 0 : channel];
  }

  public int zeroPoint(int channel) {
    return zeroPoints[axis < 0 ? 0 : channel];
  }

  public boolean perChannel() {
    return axis >= 0;
  }

  public int channels() {
    return scales.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QParams q
        && q.dtype == dtype
        && q.axis == axis
        && q.qmin == qmin
        && q.qmax == qmax
        && Arrays.equals(q.scales, scales)
        && Arrays.equals(q.zeroPoints, zeroPoints);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scales) * 31 + Arrays.hashCode(zeroPoints);
  }

  @Override
  public String toString() {
    return dtype.onnxName()
        + (axis < 0 ? "" : " axis " + axis)
        + " scale "
        + (scales.length == 1 ? scales[0] : scales.length + " values")
        + " zp "
        + (zeroPoints.length == 1 ? zeroPoints[0] : "...");
  }
}
