package dev.octet.eval.demo;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.metrics.Metrics;
import dev.octet.eval.metrics.StsEvaluation;
import dev.octet.eval.report.Report;
import dev.octet.eval.report.ReportBuilder;
import dev.octet.quant.Recipe;
import dev.octet.quant.StaticQuantizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Quantizes all-MiniLM-L6-v2 (from langchain4j's Maven artifact) to static INT8, calibrated on
 * sentences shipped with Octet, and measures it on other shipped sentences: cosine similarity of
 * each INT8 embedding to its FP32 embedding, agreement of nearest neighbours, file size, and
 * latency of FP32 and INT8 in Octet's runtime and in ONNX Runtime, side by side.
 */
public final class MiniLmDemo {
  private MiniLmDemo() {}

  /** Everything the demo measured. */
  public record Result(
      Model int8,
      long fp32Bytes,
      long int8Bytes,
      int calibrationSentences,
      int evaluationSentences,
      double meanCosine,
      double minCosine,
      double neighbourAgreement,
      List<String> keptInFloat,
      Report report) {}

  public static List<String> sentences(String resource) {
    try (InputStream in = MiniLmDemo.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new OctetException("demo resource " + resource + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new OctetException("cannot read demo resource " + resource + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param progress told what the demo is doing (one line per step)
   */
  public static Result run(int threads, Consumer<String> progress) {
    Model fp32 = OnnxModels.load(MiniLm.resource(MiniLm.MODEL));
    List<String> calibration = sentences("calibration.txt");
    List<String> evaluation = sentences("evaluation.txt");
    try (TextEncoder tok = MiniLm.tokenizer(128)) {
      List<Map<String, Tensor>> calib = new ArrayList<>();
      for (int i = 0; i < calibration.size(); i += 8) {
        calib.add(tok.encode(calibration.subList(i, Math.min(calibration.size(), i + 8))));
      }
      progress.accept(
          "calibrating on " + calibration.size() + " sentences and ranking layer sensitivity");
      Recipe recipe = Recipe.transformer().withFallback(8);
      StaticQuantizer.Result q = StaticQuantizer.quantize(fp32, calib, recipe, threads, null);
      Model int8 = q.model();
      List<String> kept =
          q.model().graph().nodes().stream()
              .filter(
                  n ->
                      n.opType().equals("MatMul")
                          && !q.marks().containsKey(n.input(0))
                          && fp32.graph().constant(n.input(1)).isPresent())
              .map(n -> n.name())
              .toList();
      progress.accept("evaluating on " + evaluation.size() + " other sentences");
      float[][] ref;
      float[][] got;
      try (Engine f = new OctetEngine(fp32, threads);
          Engine i8 = new OctetEngine(int8, threads)) {
        ref = StsEvaluation.embed(f, tok, evaluation, 16);
        got = StsEvaluation.embed(i8, tok, evaluation, 16);
      }
      double sum = 0;
      double min = 1;
      for (int i = 0; i < ref.length; i++) {
        double c = Metrics.cosine(ref[i], got[i]);
        sum += c;
        min = Math.min(min, c);
      }
      int agree = 0;
      for (int i = 0; i < ref.length; i++) {
        agree += nearest(ref, i) == nearest(got, i) ? 1 : 0;
      }
      progress.accept(
          "timing FP32 and INT8 in Octet and ONNX Runtime, comparing them layer by layer");
      double meanCosine = sum / ref.length;
      double agreement = agree / (double) ref.length;
      List<Map<String, Tensor>> samples =
          List.of(tok.encode(List.of(evaluation.get(0))), tok.encode(evaluation.subList(1, 5)));
      Report report =
          ReportBuilder.build(
              "all-MiniLM-L6-v2: FP32 vs static INT8",
              fp32,
              int8,
              samples,
              q.stats(),
              q.params(),
              List.of(
                  new Report.Accuracy("mean cosine to FP32 embeddings", 1, meanCosine),
                  new Report.Accuracy("nearest neighbour unchanged", 1, agreement)),
              List.of(
                  "Calibrated on "
                      + calibration.size()
                      + " sentences shipped with Octet, evaluated on "
                      + evaluation.size()
                      + " others; uint8 asymmetric activations (percentile), int8 per-channel"
                      + " weights, QDQ format.",
                  kept.size()
                      + " MatMuls kept in float by the sensitivity ranking: "
                      + String.join(", ", kept)),
              threads);
      return new Result(
          int8,
          OnnxModels.toBytes(fp32).length,
          OnnxModels.toBytes(int8).length,
          calibration.size(),
          evaluation.size(),
          meanCosine,
          min,
          agreement,
          kept,
          report);
    }
  }

  /** Index of the most similar other embedding. */
  static int nearest(float[][] e, int i) {
    int best = -1;
    double bestCos = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < e.length; j++) {
      if (j != i) {
        double c = Metrics.cosine(e[i], e[j]);
        if (c > bestCos) {
          bestCos = c;
          best = j;
        }
      }
    }
    return best;
  }
}
