package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.ModelSummary;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.eval.report.ReportBuilder;
import dev.octet.eval.report.ReportHtml;
import dev.octet.quant.DynamicQuantizer;
import dev.octet.quant.Provenance;
import dev.octet.quant.Recipe;
import dev.octet.quant.RecipeJson;
import dev.octet.quant.StaticQuantizer;
import dev.octet.quant.WeightOnlyQuantizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code octet quantize MODEL -o OUT --calib DATA [--samples N] [--method M] [--per-tensor]
 * [--exclude NODE...]}.
 */
@Command(
    name = "quantize",
    description = "Quantize a model to INT8 (static QDQ), calibrated on real data.")
final class QuantizeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL")
  Path model;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUT")
  Path out;

  @Option(
      names = "--calib",
      paramLabel = "DATA",
      description = "mnist:PREFIX, images:DIR[:caffe|imagenet] or text:FILE (needs --tokenizer)")
  String calib;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "HuggingFace tokenizer.json for --calib text:FILE")
  Path tokenizer;

  @Option(
      names = "--recipe",
      paramLabel = "FILE",
      description =
          "recipe JSON (fields left out take the defaults; options given here override it)")
  Path recipeFile;

  @Option(
      names = "--format",
      description =
          "qdq (QuantizeLinear/DequantizeLinear pairs) or qoperator (QLinearConv, QLinearMatMul)")
  String format;

  @Option(
      names = "--samples",
      defaultValue = "100",
      description = "calibration samples (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(
      names = "--method",
      description =
          "minmax, moving-minmax, percentile[:P], entropy or mse (default: entropy for cnn, percentile for transformer)")
  String method;

  @Option(
      names = "--mode",
      description =
          "static (calibrated activations), dynamic (activations quantized at run time) or"
              + " weight-only (int8 weights, float activations); the last two need no --calib"
              + " (default: static)")
  String mode;

  @Option(
      names = "--smooth",
      paramLabel = "ALPHA",
      description =
          "SmoothQuant: divide the inputs of MatMuls that read a layer normalization per channel"
              + " by max|x|^ALPHA / max|W|^(1-ALPHA) and multiply the weights back (0 < ALPHA < 1;"
              + " 0.5 is the paper's choice). Needs --calib, also in dynamic mode")
  Float smooth;

  @Option(
      names = "--preset",
      description =
          "cnn: every supported op, entropy; transformer: MatMul/Gemm/Gather only, percentile (default: cnn, or the --recipe)")
  String preset;

  @Option(
      names = "--fallback",
      description =
          "keep the N nodes whose quantization moves the outputs most in float (ranked per node)")
  Integer fallback;

  @Option(
      names = "--per-tensor",
      description = "one scale per weight tensor instead of per output channel")
  boolean perTensor;

  @Option(
      names = "--report",
      paramLabel = "REPORT.html",
      description =
          "also write an HTML report: size, latency in both engines, per-layer SQNR, histograms (static mode)")
  Path report;

  @Option(names = "--exclude", paramLabel = "NODE", description = "node names to keep in float")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--threads", description = "intra-op threads (default: all cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out) && Files.isSameFile(model, out)) {
      throw new OctetException(
          out + ": the output would overwrite the input model; choose another file");
    }
    if (samples <= 0) {
      throw new OctetException("--samples must be at least 1");
    }
    PrintWriter w = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Model fp32 = OnnxModels.load(model);
    Recipe recipe = recipe();
    boolean calibrates =
        recipe.mode().equals("static") || (recipe.mode().equals("dynamic") && recipe.smooths());
    if (!calibrates) {
      return writeUncalibrated(
          recipe.mode().equals("dynamic")
              ? DynamicQuantizer.quantize(fp32, recipe)
              : WeightOnlyQuantizer.quantize(fp32, recipe),
          recipe,
          "none (" + recipe.mode() + " quantization)",
          w);
    }
    if (calib == null) {
      throw new OctetException(
          (recipe.mode().equals("static")
                  ? "static quantization needs calibration data: --calib "
                  : "smoothing needs calibration data: --calib ")
              + CalibrationData.READERS
              + (recipe.mode().equals("static") ? " (or use --mode dynamic)" : ""));
    }
    CalibrationData data = CalibrationData.open(calib, fp32.graph(), samples, tokenizer);
    if (data.available() < samples) {
      err.println(
          "octet: the calibration data has only "
              + data.available()
              + " samples; using all of them");
    }
    StaticQuantizer.Result r;
    try (ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName("calibrating")
            .setInitialMax(data.samples().size())
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
            .build()) {
      if (!recipe.mode().equals("static")) {
        return writeUncalibrated(
            DynamicQuantizer.quantize(fp32, recipe, data.samples(), threads, bar::stepTo),
            recipe,
            data.description() + " (for smoothing only; activations quantized at run time)",
            w);
      }
      r = StaticQuantizer.quantize(fp32, data.samples(), recipe, threads, bar::stepTo);
    }
    Model q = Provenance.stamp(r.model(), Provenance.sha256(model), recipe, data.description());
    OnnxModels.save(q, out);
    ModelSummary s = ModelSummary.of(q);
    w.printf("quantized %s -> %s%n", model, out);
    printSize(w);
    w.printf("calibration: %s, method %s%n", data.description(), recipe.method());
    w.printf("quantized tensors: %d (%s)%n", r.params().size(), s.quantizationOps());
    if (report != null) {
      err.println("octet quantize: timing both models and comparing them layer by layer...");
      Model f = Float16ToFloat32.toFloat32(fp32);
      List<Map<String, Tensor>> some =
          List.copyOf(data.samples().subList(0, Math.min(4, data.samples().size())));
      ReportHtml.write(
          ReportBuilder.build(
              model.getFileName() + ": FP32 vs INT8",
              f,
              q,
              some,
              r.stats(),
              r.params(),
              List.of(),
              List.of(
                  "Calibration: " + data.description() + ".",
                  "Recipe: " + recipe.toJson().replaceAll("\\s+", " "),
                  "Accuracy needs labelled data: octet report FP32 INT8 --data DATA."),
              threads),
          report);
      w.printf("report: %s%n", report);
    }
    w.flush();
    return 0;
  }

  /** Writes a dynamic or weight-only model (no activation statistics to report) and sums it up. */
  private int writeUncalibrated(Model quantized, Recipe recipe, String calibration, PrintWriter w)
      throws java.io.IOException {
    Model q = Provenance.stamp(quantized, Provenance.sha256(model), recipe, calibration);
    OnnxModels.save(q, out);
    w.printf(
        "quantized %s -> %s (%s%s)%n",
        model, out, recipe.mode(), recipe.smooths() ? ", smoothing " + recipe.smoothing() : "");
    printSize(w);
    w.printf("quantization ops: %s%n", ModelSummary.of(q).quantizationOps());
    w.flush();
    return 0;
  }

  /** The recipe file or preset, then the options given on the command line. */
  private Recipe recipe() {
    if (recipeFile != null && preset != null) {
      throw new OctetException("give either --recipe or --preset, not both");
    }
    Recipe r =
        recipeFile != null
            ? RecipeJson.read(recipeFile)
            : switch (preset == null ? "cnn" : preset) {
              case "cnn" -> Recipe.defaults().withMethod("entropy");
              case "transformer" -> Recipe.transformer();
              default ->
                  throw new OctetException(
                      "--preset must be cnn or transformer, got '" + preset + "'");
            };
    if (mode != null) {
      r = r.withMode(mode);
    }
    if (format != null) {
      r = r.withFormat(format);
    }
    if (method != null) {
      r = r.withMethod(method);
    }
    if (perTensor) {
      r = r.withPerChannel(false);
    }
    if (fallback != null) {
      r = r.withFallback(fallback);
    }
    if (smooth != null) {
      r = r.withSmoothing(smooth);
    }
    if (!exclude.isEmpty()) {
      Set<String> all = new java.util.LinkedHashSet<>(r.exclude());
      all.addAll(exclude);
      r = r.withExclude(all);
    }
    return r;
  }

  private void printSize(PrintWriter w) throws java.io.IOException {
    long in = Files.size(model);
    long written = Files.size(out);
    w.printf("size: %,d -> %,d bytes (%.0f%% of the input)%n", in, written, 100.0 * written / in);
  }
}
