package dev.octet.eval.report;

import dev.octet.eval.metrics.LayerComparison;
import dev.octet.quant.QParams;
import dev.octet.quant.calib.Histogram;
import java.util.List;

/**
 * What a quantization report shows: a summary table, latency per engine and model, accuracy before
 * and after, per-layer SQNR (worst first) and, for the worst layers, the calibration histogram with
 * the range that was chosen. Plain data; {@link ReportHtml} draws it.
 */
public record Report(
    String title,
    List<String> notes,
    List<Row> summary,
    List<Timing> latency,
    List<Accuracy> accuracy,
    List<LayerComparison.Layer> layers,
    List<HistogramView> histograms) {

  public Report {
    notes = List.copyOf(notes);
    summary = List.copyOf(summary);
    latency = List.copyOf(latency);
    accuracy = List.copyOf(accuracy);
    layers = List.copyOf(layers);
    histograms = List.copyOf(histograms);
  }

  /** A line of the summary table: what, FP32, INT8. */
  public record Row(String label, String fp32, String int8) {}

  /** Median and p90 latency in milliseconds of one model in one engine. */
  public record Timing(String engine, String model, double medianMs, double p90Ms) {}

  /** A quality metric of the FP32 and the INT8 model (higher is better). */
  public record Accuracy(String metric, double fp32, double int8) {}

  /**
   * A tensor's calibration histogram, re-binned for display, and the range its quantization
   * parameters represent: values outside [lo, hi] were clipped.
   */
  public record HistogramView(
      String tensor,
      double[] centers,
      long[] counts,
      double lo,
      double hi,
      double min,
      double max) {

    /** Re-bins {@code h} into {@code bins} equal bins over [min, max]. */
    public static HistogramView of(String tensor, Histogram h, QParams p, int bins) {
      double min = Math.min(h.min(), 0);
      double max = Math.max(h.max(), 0);
      double width = (max - min) / bins;
      double[] centers = new double[bins];
      for (int i = 0; i < bins; i++) {
        centers[i] = min + (i + 0.5) * width;
      }
      long[] counts = new long[bins];
      long[] pos = h.positive();
      long[] neg = h.negative();
      for (int k = 0; k < pos.length; k++) {
        double v = (k + 0.5) * h.binWidth();
        add(counts, pos[k], v, min, width);
        add(counts, neg[k], -v, min, width);
      }
      double scale = p.scale(0);
      int zp = p.zeroPoint(0);
      return new HistogramView(
          tensor,
          centers,
          counts,
          (p.qmin() - zp) * (double) scale,
          (p.qmax() - zp) * (double) scale,
          h.min(),
          h.max());
    }

    private static void add(long[] counts, long n, double v, double min, double width) {
      if (n == 0 || width <= 0) {
        return;
      }
      int i = (int) Math.floor((v - min) / width);
      counts[Math.max(0, Math.min(counts.length - 1, i))] += n;
    }
  }
}
