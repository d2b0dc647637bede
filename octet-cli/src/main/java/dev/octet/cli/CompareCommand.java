package dev.octet.cli;

import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.eval.metrics.LayerComparison;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code octet compare FP32_MODEL INT8_MODEL --data DATA [--samples N] [--top K]}. */
@Command(
    name = "compare",
    description =
        "Rank the layers of a quantized model by the error each introduces (SQNR against FP32), worst first.")
final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FP32_MODEL")
  Path fp32;

  @Parameters(index = "1", paramLabel = "INT8_MODEL")
  Path int8;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DATA",
      description = "mnist:PREFIX, images:DIR[:caffe|imagenet] or text:FILE (needs --tokenizer)")
  String data;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "HuggingFace tokenizer.json for --data text:FILE")
  Path tokenizer;

  @Option(
      names = "--samples",
      defaultValue = "20",
      description = "inputs to compare on (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(
      names = "--top",
      defaultValue = "10",
      description = "layers to show (default: ${DEFAULT-VALUE})")
  int top;

  @Option(names = "--threads", description = "threads (default: all cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Model f = Float16ToFloat32.toFloat32(OnnxModels.load(fp32));
    Model q = OnnxModels.load(int8);
    CalibrationData d = CalibrationData.open(data, f.graph(), samples, tokenizer);
    List<LayerComparison.Layer> layers = LayerComparison.run(f, q, d.samples(), threads);
    PrintWriter w = spec.commandLine().getOut();
    w.printf(
        "%d tensors compared on %s; worst first by the SQNR lost where the tensor is computed%n",
        layers.size(), d.description());
    w.printf(
        "%-40s %-40s %10s %12s %10s%n",
        "tensor", "computed by", "SQNR dB", "lost here dB", "rel. err");
    for (LayerComparison.Layer l : layers.subList(0, Math.min(top, layers.size()))) {
      w.printf(
          "%-40s %-40s %10.2f %12.2f %10.4f%n",
          l.tensor(), l.producer(), l.sqnrDb(), l.introducedDb(), l.relativeError());
    }
    w.flush();
    return 0;
  }
}
