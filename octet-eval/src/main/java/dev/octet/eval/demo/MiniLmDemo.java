package dev.octet.eval.demo;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.bench.Benchmark;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import dev.octet.eval.metrics.Metrics;
import dev.octet.eval.metrics.StsEvaluation;
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

  /** Latency of one engine on one model. */
  public record Timing(String engine, String model, double medianMs, double p90Ms) {}

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
      List<Timing> timings,
      List<String> keptInFloat) {}

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
      progress.accept("timing FP32 and INT8 in Octet and ONNX Runtime");
      Map<String, Tensor> one = tok.encode(List.of(evaluation.get(0)));
      List<Timing> timings = new ArrayList<>();
      byte[] int8Bytes = OnnxModels.toBytes(int8);
      try (Engine a = new OctetEngine(fp32, threads);
          Engine b = new OctetEngine(int8, threads);
          Engine c = new OrtEngine(fp32, threads);
          Engine d = new OrtEngine(int8Bytes, threads, null)) {
        List<Benchmark.Result> r = Benchmark.run(List.of(a, b, c, d), one, 1, 10, 40);
        String[] models = {"FP32", "INT8", "FP32", "INT8"};
        for (int i = 0; i < r.size(); i++) {
          timings.add(new Timing(r.get(i).engine(), models[i], r.get(i).median(), r.get(i).p90()));
        }
      }
      long fp32Bytes = OnnxModels.toBytes(fp32).length;
      return new Result(
          int8,
          fp32Bytes,
          int8Bytes.length,
          calibration.size(),
          evaluation.size(),
          sum / ref.length,
          min,
          agree / (double) ref.length,
          timings,
          kept);
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
