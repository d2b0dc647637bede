package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code octet convert --to fp32 IN OUT}. */
@Command(name = "convert", description = "Convert a model's precision (float16 to float32).")
final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--to", required = true, description = "target precision: fp32")
  String to;

  @Parameters(index = "0", paramLabel = "IN")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!to.equalsIgnoreCase("fp32") && !to.equalsIgnoreCase("float32")) {
      throw new OctetException("--to " + to + " is not supported; use --to fp32");
    }
    if (Files.exists(out) && Files.isSameFile(in, out)) {
      throw new OctetException(out + ": the output would overwrite the input; choose another file");
    }
    Model m = OnnxModels.load(in);
    if (!Float16ToFloat32.usesFloat16(m)) {
      spec.commandLine()
          .getErr()
          .println("octet: " + in + " has no float16 values; writing it unchanged");
    }
    OnnxModels.save(Float16ToFloat32.apply(m, false), out);
    spec.commandLine()
        .getOut()
        .printf("%s -> %s (%,d -> %,d bytes)%n", in, out, Files.size(in), Files.size(out));
    return 0;
  }
}
