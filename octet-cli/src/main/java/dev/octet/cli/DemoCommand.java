package dev.octet.cli;

import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.demo.MiniLmDemo;
import dev.octet.eval.report.Report;
import dev.octet.eval.report.ReportHtml;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The README's first command: quantize all-MiniLM-L6-v2 and compare it with FP32. */
@Command(
    name = "demo",
    description =
        "Quantize all-MiniLM-L6-v2 to INT8, compare it with FP32 (quality, size, speed in Octet and ONNX Runtime).")
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--out",
      defaultValue = "octet-demo",
      description = "folder for the INT8 model and the report (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--threads", description = "threads (default: all cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--all",
      description =
          "also quantize and report mnist-8 on MNIST, SqueezeNet on the ImageNet images and MiniLM on STS-B, from ../shared (or $OCTET_SHARED)")
  boolean all;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long t0 = System.nanoTime();
    MiniLmDemo.Result r =
        MiniLmDemo.run(threads, step -> err.println("octet demo: " + step + "..."));
    Files.createDirectories(out);
    Path model = out.resolve("all-minilm-l6-v2-int8.onnx");
    OnnxModels.save(r.int8(), model);
    String table = table(r);
    w.println();
    w.print(table);
    w.printf("INT8 model: %s%n", model);
    Path report = out.resolve("report.html");
    ReportHtml.write(r.report(), report);
    w.printf("report:     %s%n", report);
    if (all) {
      w.flush();
      int status = all(w, err);
      if (status != 0) {
        return status;
      }
    }
    w.printf("done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
    w.flush();
    return 0;
  }

  /** The real-model demos: each one a quantize and a report, as a user would type them. */
  private int all(PrintWriter w, PrintWriter err) {
    String env = System.getenv("OCTET_SHARED");
    Path shared = Path.of(env != null ? env : "../shared");
    if (!Files.isDirectory(shared.resolve("models"))) {
      throw new dev.octet.core.OctetException(
          shared + ": no shared models and data here; --all needs ../shared (or OCTET_SHARED=DIR)");
    }
    String t = Integer.toString(threads);
    Path mnist = shared.resolve("data/mnist");
    Path images = shared.resolve("data/imagenet-500/images");
    Path sts = shared.resolve("data/stsbenchmark");
    Path squeezeFp32 = out.resolve("squeezenet-fp32.onnx");
    Path tokenizer = MiniLm.resource(MiniLm.TOKENIZER);
    String[][] steps = {
      {
        "quantize",
        shared.resolve("models/mnist-8.onnx").toString(),
        "-o",
        out.resolve("mnist-8-int8.onnx").toString(),
        "--calib",
        "mnist:" + mnist.resolve("train10k"),
        "--samples",
        "1000",
        "--threads",
        t
      },
      {
        "report",
        shared.resolve("models/mnist-8.onnx").toString(),
        out.resolve("mnist-8-int8.onnx").toString(),
        "--data",
        "mnist:" + mnist.resolve("t10k"),
        "--samples",
        "10000",
        "-o",
        out.resolve("mnist-8-report.html").toString(),
        "--threads",
        t
      },
      {
        "convert",
        "--to",
        "fp32",
        shared.resolve("models/squeezenet1.0-fp16.onnx").toString(),
        squeezeFp32.toString()
      },
      {
        "quantize",
        squeezeFp32.toString(),
        "-o",
        out.resolve("squeezenet-int8.onnx").toString(),
        "--calib",
        "images:" + images + ":caffe",
        "--samples",
        "100",
        "--threads",
        t
      },
      {
        "report",
        squeezeFp32.toString(),
        out.resolve("squeezenet-int8.onnx").toString(),
        "--data",
        "images:" + images + ":caffe",
        "--samples",
        "500",
        "-o",
        out.resolve("squeezenet-report.html").toString(),
        "--threads",
        t
      },
      {
        "quantize",
        MiniLm.resource(MiniLm.MODEL).toString(),
        "-o",
        out.resolve("all-minilm-l6-v2-sts-int8.onnx").toString(),
        "--preset",
        "transformer",
        "--fallback",
        "8",
        "--calib",
        "text:" + sts.resolve("sts-train.csv"),
        "--tokenizer",
        tokenizer.toString(),
        "--samples",
        "300",
        "--threads",
        t
      },
      {
        "report",
        MiniLm.resource(MiniLm.MODEL).toString(),
        out.resolve("all-minilm-l6-v2-sts-int8.onnx").toString(),
        "--data",
        "text:" + sts.resolve("sts-test.csv"),
        "--tokenizer",
        tokenizer.toString(),
        "--samples",
        "1379",
        "-o",
        out.resolve("all-minilm-l6-v2-sts-report.html").toString(),
        "--threads",
        t
      },
    };
    for (String[] step : steps) {
      w.println();
      w.println("$ octet " + String.join(" ", step));
      w.flush();
      int status = OctetCli.execute(step, w, err);
      if (status != 0) {
        return status;
      }
    }
    return 0;
  }

  static String table(MiniLmDemo.Result r) {
    StringBuilder b = new StringBuilder();
    b.append("all-MiniLM-L6-v2, static INT8 (uint8 activations, int8 per-channel weights, QDQ)\n");
    b.append(
        String.format(
            "  calibrated on %d shipped sentences; %d MatMuls kept in float by sensitivity%n",
            r.calibrationSentences(), r.keptInFloat().size()));
    b.append(
        String.format(
            "  size:              %,d -> %,d bytes (%.1fx smaller)%n",
            r.fp32Bytes(), r.int8Bytes(), r.fp32Bytes() / (double) r.int8Bytes()));
    b.append(
        String.format(
            "  quality on %d other sentences: cosine to FP32 mean %.4f, min %.4f; nearest neighbour unchanged for %.1f%%%n",
            r.evaluationSentences(), r.meanCosine(), r.minCosine(), 100 * r.neighbourAgreement()));
    b.append("  latency, one sentence (median / p90 ms):\n");
    for (Report.Timing t : r.report().latency()) {
      b.append(
          String.format(
              "    %-6s %-5s %8.2f / %8.2f%n", t.engine(), t.model(), t.medianMs(), t.p90Ms()));
    }
    return b.toString();
  }
}
