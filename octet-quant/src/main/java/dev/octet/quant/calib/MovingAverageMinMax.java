package dev.octet.quant.calib;

/**
 * The moving average of the per-batch minima and maxima (first batch as is, then r += 0.01 *
 * (r_batch - r)), as PyTorch's MovingAverageMinMaxObserver computes it: rare extreme batches move
 * the range only a little, without a histogram search.
 */
public record MovingAverageMinMax() implements RangeEstimator {
  @Override
  public float[] range(Histogram h, boolean symmetric) {
    return new float[] {h.movingMin(), h.movingMax()};
  }
}
