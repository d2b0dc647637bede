package dev.octet.quant.calib;

/**
 * Minimises the quantization error over the histogram: for candidate thresholds T (every 8th bin
 * edge of |x|, and the maximum), fake-quantize every bin centre to 255 levels over (-T, T) and keep
 * the T with the least sum(count * (q(c) - c)^2), clipped values included.
 */
public record Mse() implements RangeEstimator {
  private static final int LEVELS = 255;

  @Override
  public float[] range(Histogram h, boolean symmetric) {
    long[] hist = h.magnitudes();
    double w = h.binWidth();
    int used = hist.length;
    while (used > 0 && hist[used - 1] == 0) {
      used--;
    }
    if (used == 0) {
      return new MinMax().range(h, symmetric);
    }
    double bestT = used * w;
    double bestErr = Double.POSITIVE_INFINITY;
    for (int i = Math.min(used, 8); ; i = Math.min(used, i + 8)) {
      double t = i * w;
      double step = 2 * t / LEVELS;
      double err = 0;
      for (int k = 0; k < used; k++) {
        if (hist[k] == 0) {
          continue;
        }
        double c = (k + 0.5) * w;
        double q = Math.min(t, Math.rint(c / step) * step);
        err += hist[k] * (q - c) * (q - c);
      }
      if (err < bestErr) {
        bestErr = err;
        bestT = t;
      }
      if (i == used) {
        break;
      }
    }
    float t = (float) bestT;
    return new float[] {Math.max(-t, h.min()), Math.min(t, h.max())};
  }
}
