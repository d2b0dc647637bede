package dev.octet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** The README's first command; the full demo arrives with the evaluation work. */
@Command(
    name = "demo",
    description = "Quantize all-MiniLM-L6-v2 and compare it with FP32 (arrives with evaluation).")
final class DemoCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "octet: the demo is not built yet: it arrives with quantization and evaluation."
                + " Try: ./octet inspect ../shared/models/mnist-8.onnx");
    return 1;
  }
}
