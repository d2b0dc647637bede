package dev.octet.quant.calib;

import dev.octet.core.OctetException;

/**
 * Clips the rarest values: symmetric, T is the upper edge of the bin where the cumulative share of
 * |x| first reaches p percent and the range is (-T, T); asymmetric, (100 - p) / 2 percent is cut
 * from each tail. Both are clipped to the observed min and max. ONNX Runtime's default p is 99.999.
 */
public record Percentile(double percent) implements RangeEstimator {
  public static final double DEFAULT = 99.999;

  public Percentile {
    if (!(percent > 0 && percent <= 100)) {
      throw new OctetException("percentile must be in (0, 100], got " + percent);
    }
  }

  @Override
  public float[] range(Histogram h, boolean symmetric) {
    double w = h.binWidth();
    if (symmetric) {
      float t = (float) (threshold(h.magnitudes(), percent / 100) * w);
      return new float[] {Math.max(-t, h.min()), Math.min(t, h.max())};
    }
    double tail = (1 - percent / 100) / 2;
    long total = h.count();
    long[] neg = h.negative();
    long[] pos = h.positive();
    long negCount = java.util.Arrays.stream(neg).sum();
    long posCount = total - negCount;
    // the share of all values to keep on each side, expressed within that side's own histogram
    float lo =
        negCount == 0 ? 0 : -(float) (threshold(neg, Math.max(0, 1 - tail * total / negCount)) * w);
    float hi =
        posCount == 0 ? 0 : (float) (threshold(pos, Math.max(0, 1 - tail * total / posCount)) * w);
    return new float[] {Math.max(lo, h.min()), Math.min(hi, h.max())};
  }

  /** Upper edge (in bins) of the first bin where the cumulative share reaches {@code share}. */
  static int threshold(long[] hist, double share) {
    long total = 0;
    for (long c : hist) {
      total += c;
    }
    double need = share * total;
    long acc = 0;
    for (int i = 0; i < hist.length; i++) {
      acc += hist[i];
      if (acc >= need) {
        return i + 1;
      }
    }
    return hist.length;
  }
}
