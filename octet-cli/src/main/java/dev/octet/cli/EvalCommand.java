package dev.octet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.octet.core.OctetException;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.ModelSummary;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import dev.octet.eval.metrics.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code octet eval MODEL --data DATA [--reference FP32_MODEL] [--engine octet|ort] [--json]}:
 * accuracy (top-1/top-5, or STS Spearman/Pearson), agreement with a reference model, latency, file
 * size and weight memory.
 */
@Command(
    name = "eval",
    description =
        "Evaluate a model on labelled data: accuracy or STS correlation, agreement with a reference, latency, size.")
final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL")
  Path model;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DATA",
      description =
          "mnist:PREFIX, images:DIR[:caffe|imagenet] (labels from DIR/../synset.txt) or text:STS.csv (needs --tokenizer)")
  String data;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "HuggingFace tokenizer.json for text data")
  Path tokenizer;

  @Option(
      names = "--reference",
      paramLabel = "FP32_MODEL",
      description = "model to compare predictions or embeddings with")
  Path reference;

  @Option(
      names = "--engine",
      defaultValue = "octet",
      description = "octet or ort (default: ${DEFAULT-VALUE})")
  String engine;

  @Option(
      names = "--samples",
      defaultValue = "1000000",
      description = "at most this many samples (default: all)")
  int samples;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--threads", description = "intra-op threads (default: all cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Model m = OnnxModels.load(model);
    Model ref = reference == null ? null : OnnxModels.load(reference);
    Map<String, Object> out = evaluate(m, ref);
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    } else {
      out.forEach(
          (k, v) -> {
            if (v instanceof Map<?, ?> sub) {
              sub.forEach((a, b) -> w.printf("%-22s %s%n", k + "." + a, format(b)));
            } else {
              w.printf("%-22s %s%n", k, format(v));
            }
          });
    }
    w.flush();
    return 0;
  }

  Map<String, Object> evaluate(Model m, Model ref) throws Exception {
    Evaluation e;
    String description;
    long residentWeights;
    try (Engine a = open(m);
        Engine b = ref == null ? null : open(ref)) {
      residentWeights = a instanceof OctetEngine o ? residentBytes(o) : -1;
      if (data.startsWith("text:")) {
        if (tokenizer == null) {
          throw new OctetException("text data needs --tokenizer FILE (a tokenizer.json)");
        }
        Path file = Path.of(data.substring(5));
        StsBenchmark all = StsBenchmark.read(file);
        StsBenchmark sts =
            new StsBenchmark(all.pairs().subList(0, Math.min(samples, all.pairs().size())));
        try (TextEncoder tok = TextEncoder.open(tokenizer, 128)) {
          e = Evaluation.sts(a, b, tok, sts, 16);
        }
        description = "STS pairs " + file + " (" + sts.pairs().size() + ")";
      } else {
        CalibrationData d = CalibrationData.open(data, m.graph(), samples, tokenizer);
        if (d.labels() == null) {
          throw new OctetException(data + ": no labels to evaluate against");
        }
        e = Evaluation.classification(a, b, d.samples(), d.labels());
        description = d.description();
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.toString());
    out.put("engine", engine);
    out.put("data", description);
    out.put("task", e.task());
    out.put("samples", e.samples());
    out.put("metrics", e.metrics());
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("median_ms", e.medianMs());
    latency.put("p90_ms", e.p90Ms());
    latency.put("runs_per_s", e.throughput());
    out.put("latency", latency);
    out.put("file_bytes", Files.size(model));
    out.put("weight_bytes", ModelSummary.of(m).parameterBytes());
    if (residentWeights >= 0) {
      out.put("resident_weight_bytes", residentWeights);
    }
    return out;
  }

  private Engine open(Model m) {
    return switch (engine) {
      case "octet" -> new OctetEngine(m, threads);
      case "ort" -> new OrtEngine(m, threads);
      default -> throw new OctetException("--engine must be octet or ort, got '" + engine + "'");
    };
  }

  /** Bytes Octet's session keeps: constants after folding, and the weights its kernels packed. */
  static long residentBytes(OctetEngine e) {
    return e.session().plan().residentBytes();
  }

  private static String format(Object v) {
    return v instanceof Double d ? String.format("%.4f", d) : String.valueOf(v);
  }
}
