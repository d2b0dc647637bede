package dev.octet.quant.calib;

/**
 * Turns calibration statistics into the real range [lo, hi] to quantize: the choice of clipping,
 * kept apart from how the statistics were collected.
 */
public sealed interface RangeEstimator
    permits MinMax, MovingAverageMinMax, Percentile, Entropy, Mse {

  /**
   * @param symmetric whether the range will be made symmetric (estimators that clip then clip |x|)
   * @return {lo, hi}
   */
  float[] range(Histogram h, boolean symmetric);

  /** The estimator called {@code name}: minmax, moving-minmax, percentile[:p], entropy, mse. */
  static RangeEstimator parse(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    if (n.startsWith("percentile")) {
      int colon = n.indexOf(':');
      return colon < 0
          ? new Percentile(Percentile.DEFAULT)
          : new Percentile(Double.parseDouble(n.substring(colon + 1)));
    }
    return switch (n) {
      case "minmax" -> new MinMax();
      case "moving-minmax", "moving-average" -> new MovingAverageMinMax();
      case "entropy", "kl" -> new Entropy(Entropy.DEFAULT_LEVELS);
      case "mse" -> new Mse();
      default ->
          throw new dev.octet.core.OctetException(
              "unknown calibration method '"
                  + name
                  + "'; use minmax, moving-minmax, percentile[:P], entropy or mse");
    };
  }
}
