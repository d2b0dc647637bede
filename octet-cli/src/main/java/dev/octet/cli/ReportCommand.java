package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.eval.report.Report;
import dev.octet.eval.report.ReportBuilder;
import dev.octet.eval.report.ReportHtml;
import dev.octet.quant.QParams;
import dev.octet.quant.calib.Calibrator;
import dev.octet.quant.calib.Histogram;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code octet report FP32_MODEL INT8_MODEL --data DATA -o report.html}: evaluates both models,
 * times them in both engines, compares them layer by layer and writes one self-contained HTML
 * report.
 */
@Command(
    name = "report",
    description =
        "Write a self-contained HTML report comparing an FP32 model and its INT8 version on data.")
final class ReportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FP32_MODEL")
  Path fp32;

  @Parameters(index = "1", paramLabel = "INT8_MODEL")
  Path int8;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DATA",
      description = "labelled data as for 'octet eval' (mnist:, images:, text:STS.csv)")
  String data;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json for text")
  Path tokenizer;

  @Option(
      names = "--samples",
      defaultValue = "500",
      description = "samples to evaluate accuracy on (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "REPORT.html")
  Path out;

  @Option(names = "--threads", description = "intra-op threads (default: all cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out) && (Files.isSameFile(out, fp32) || Files.isSameFile(out, int8))) {
      throw new OctetException(out + ": the report would overwrite a model; choose another file");
    }
    Model f = Float16ToFloat32.toFloat32(OnnxModels.load(fp32));
    Model q = OnnxModels.load(int8);
    PrintWriter err = spec.commandLine().getErr();
    err.println("octet report: evaluating both models...");
    EvalCommand eval = new EvalCommand();
    eval.data = data;
    eval.tokenizer = tokenizer;
    eval.samples = samples;
    eval.engine = "ort";
    eval.threads = threads;
    eval.model = fp32;
    Map<String, Object> a = eval.evaluate(f, null);
    eval.model = int8;
    Map<String, Object> b = eval.evaluate(q, f);
    List<Report.Accuracy> accuracy = accuracy(a, b);
    err.println("octet report: timing, comparing layers, collecting histograms...");
    List<Map<String, dev.octet.core.Tensor>> inputs = inputs(f);
    Map<String, QParams> params = ReportBuilder.activationParams(q);
    Map<String, Histogram> stats = new Calibrator(f, params.keySet(), threads).run(inputs, null);
    Report r =
        ReportBuilder.build(
            fp32.getFileName() + " vs " + int8.getFileName(),
            f,
            q,
            inputs,
            stats,
            params,
            accuracy,
            List.of(
                "Accuracy through ONNX Runtime on " + a.get("data") + ".",
                "INT8 provenance: " + q.metadata().getOrDefault("octet.recipe", "not Octet's")),
            threads);
    ReportHtml.write(r, out);
    PrintWriter w = spec.commandLine().getOut();
    for (Report.Accuracy x : accuracy) {
      w.printf("%-32s FP32 %.4f  INT8 %.4f%n", x.metric(), x.fp32(), x.int8());
    }
    w.printf("report: %s%n", out);
    w.flush();
    return 0;
  }

  /**
   * FP32 and INT8 side by side for every metric of the FP32 evaluation, then the INT8-only ones.
   */
  @SuppressWarnings("unchecked")
  static List<Report.Accuracy> accuracy(Map<String, Object> fp32, Map<String, Object> int8) {
    Map<String, Double> a = (Map<String, Double>) fp32.get("metrics");
    Map<String, Double> b = (Map<String, Double>) int8.get("metrics");
    List<Report.Accuracy> out = new ArrayList<>();
    b.forEach((k, v) -> out.add(new Report.Accuracy(k, a.getOrDefault(k, 1.0), v)));
    return out;
  }

  /** A few inputs for timing and the layer comparison, from the same data. */
  private List<Map<String, dev.octet.core.Tensor>> inputs(Model f) {
    return List.copyOf(CalibrationData.open(data, f.graph(), 8, tokenizer).samples());
  }
}
