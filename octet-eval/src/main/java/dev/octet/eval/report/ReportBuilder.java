package dev.octet.eval.report;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.ModelSummary;
import dev.octet.core.graph.Node;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.bench.Benchmark;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import dev.octet.eval.metrics.LayerComparison;
import dev.octet.quant.QParams;
import dev.octet.quant.calib.Histogram;
import dev.octet.runtime.ops.Numeric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures what every report shows for an FP32 model and its INT8 version: file and weight size,
 * latency of both in Octet's runtime and in ONNX Runtime (interleaved, one JVM), per-layer SQNR on
 * sample inputs, and the calibration histograms of the worst layers when the statistics are at
 * hand. The caller adds accuracy rows and notes.
 */
public final class ReportBuilder {
  /** How many of the worst calibrated layers get a histogram. */
  static final int HISTOGRAMS = 4;

  private ReportBuilder() {}

  /**
   * @param samples inputs for the per-layer comparison (a few suffice); the first is timed
   * @param stats calibration statistics by tensor name, or an empty map
   * @param params the quantization parameters chosen, by tensor name, or an empty map
   */
  public static Report build(
      String title,
      Model fp32,
      Model int8,
      List<Map<String, Tensor>> samples,
      Map<String, Histogram> stats,
      Map<String, QParams> params,
      List<Report.Accuracy> accuracy,
      List<String> notes,
      int threads) {
    byte[] fp32Bytes = OnnxModels.toBytes(fp32);
    byte[] int8Bytes = OnnxModels.toBytes(int8);
    List<Report.Row> summary = new ArrayList<>();
    summary.add(new Report.Row("file size", mb(fp32Bytes.length), mb(int8Bytes.length)));
    summary.add(
        new Report.Row(
            "weights in the file",
            mb(ModelSummary.of(fp32).parameterBytes()),
            mb(ModelSummary.of(int8).parameterBytes())));
    for (Report.Accuracy a : accuracy) {
      summary.add(
          new Report.Row(
              a.metric(), String.format("%.4f", a.fp32()), String.format("%.4f", a.int8())));
    }
    List<Report.Timing> latency = new ArrayList<>();
    try (Engine a = new OctetEngine(fp32, threads);
        Engine b = new OctetEngine(int8, threads);
        Engine c = new OrtEngine(fp32Bytes, threads, null);
        Engine d = new OrtEngine(int8Bytes, threads, null)) {
      List<Engine> engines = List.of(a, b, c, d);
      Benchmark.Turns turns = Benchmark.Turns.of(threads, engines.size(), 5);
      // a quick look, not a benchmark: it does not wait for the JIT compiler (`octet bench` does)
      List<Benchmark.Result> r =
          Benchmark.run(
                  engines, samples.get(0), 1, 5, 20, turns.block(), turns.settleMillis(), false)
              .results();
      String[] models = {"FP32", "INT8", "FP32", "INT8"};
      for (int i = 0; i < r.size(); i++) {
        latency.add(
            new Report.Timing(r.get(i).engine(), models[i], r.get(i).median(), r.get(i).p90()));
      }
      for (int i = 0; i < r.size(); i += 2) {
        summary.add(
            new Report.Row(
                "latency in " + r.get(i).engine() + ", median ms",
                String.format("%.2f", r.get(i).median()),
                String.format("%.2f", r.get(i + 1).median())));
      }
    }
    List<LayerComparison.Layer> layers = LayerComparison.run(fp32, int8, samples, threads);
    List<Report.HistogramView> histograms = new ArrayList<>();
    for (LayerComparison.Layer l : layers) {
      Histogram h = stats.get(l.tensor());
      QParams p = params.get(l.tensor());
      if (h != null && p != null && h.count() > 0 && histograms.size() < HISTOGRAMS) {
        histograms.add(Report.HistogramView.of(l.tensor(), h, p, 120));
      }
    }
    return new Report(title, notes, summary, latency, accuracy, layers, histograms);
  }

  /**
   * The per-tensor activation parameters a quantized model carries: for every QuantizeLinear whose
   * scale and zero point are scalar constants, its input's parameters.
   */
  public static Map<String, QParams> activationParams(Model int8) {
    Graph g = int8.graph();
    Map<String, QParams> out = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (!n.opType().equals("QuantizeLinear") || n.input(2).isEmpty()) {
        continue;
      }
      Tensor s = g.constant(n.input(1)).orElse(null);
      Tensor z = g.constant(n.input(2)).orElse(null);
      if (s == null || z == null || s.size() != 1 || z.size() != 1) {
        continue;
      }
      DType t = z.dtype();
      try {
        out.put(
            n.input(0),
            new QParams(
                t,
                s.toFloatArray(),
                new int[] {(int) Numeric.toLongs(z)[0]},
                -1,
                (int) t.minValue(),
                (int) t.maxValue()));
      } catch (OctetException e) {
        // parameters that Octet would not write (a zero scale): no histogram for this tensor
      }
    }
    return out;
  }

  private static String mb(long bytes) {
    return String.format("%.2f MB", bytes / 1e6);
  }
}
