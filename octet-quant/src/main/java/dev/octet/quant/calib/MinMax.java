package dev.octet.quant.calib;

/** The observed minimum and maximum: no clipping. */
public record MinMax() implements RangeEstimator {
  @Override
  public float[] range(Histogram h, boolean symmetric) {
    return new float[] {h.min(), h.max()};
  }
}
