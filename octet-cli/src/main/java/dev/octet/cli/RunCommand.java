package dev.octet.cli;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.io.Npy;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.engine.Engine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code octet run MODEL [--input NAME=FILE]... [--random SEED] [--engine octet|ort] [--out DIR]}.
 */
@Command(
    name = "run",
    description = "Run a model once and print its outputs' shapes, checksums and timing.")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL")
  Path model;

  @Option(
      names = "--input",
      paramLabel = "NAME=FILE",
      description = "an input from a .npy or TensorProto .pb file")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--random",
      paramLabel = "SEED",
      description = "random values for inputs not given")
  Long seed;

  @Option(
      names = "--engine",
      defaultValue = "octet",
      description = "octet or ort (default: ${DEFAULT-VALUE})")
  String engine;

  @Option(names = "--out", paramLabel = "DIR", description = "write each output as DIR/<name>.npy")
  Path out;

  @Mixin InputSizing sizing;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Model m = OnnxModels.load(model);
    Map<String, Tensor> in =
        Inputs.load(m.graph(), inputs, seed, sizing.batch, sizing.seq, sizing.dims);
    PrintWriter w = spec.commandLine().getOut();
    try (Engine e = Engine.open(engine, m, sizing.threads)) {
      long t0 = System.nanoTime();
      Map<String, Tensor> outputs = e.run(in);
      double ms = (System.nanoTime() - t0) / 1e6;
      for (Map.Entry<String, Tensor> o : outputs.entrySet()) {
        Tensor t = o.getValue();
        double sum = 0;
        double abs = 0;
        for (int i = 0; i < t.size(); i++) {
          double v = t.dtype() == dev.octet.core.DType.STRING ? 0 : t.getDouble(i);
          sum += v;
          abs += Math.abs(v);
        }
        w.printf(
            "%-30s %s%s  sum=%.6g  sum|x|=%.6g%n",
            o.getKey(), t.dtype().onnxName(), Arrays.toString(t.shape()), sum, abs);
        if (out != null) {
          Files.createDirectories(out);
          Npy.write(out.resolve(o.getKey().replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy"), t);
        }
      }
      w.printf(
          "engine %s, %d thread(s): %.2f ms (first run, includes warm-up)%n",
          e.name(), sizing.threads, ms);
    }
    w.flush();
    return 0;
  }
}
