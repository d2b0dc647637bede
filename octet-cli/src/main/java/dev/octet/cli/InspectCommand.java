package dev.octet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.ModelSummary;
import dev.octet.core.onnx.OnnxModels;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code octet inspect MODEL [--json]}. */
@Command(
    name = "inspect",
    description = "Show a model's interface, ops, parameters and whether it is quantized.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "ONNX model file")
  Path model;

  @Option(names = "--json", description = "print a JSON object instead of text")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Model m = OnnxModels.load(model);
    ModelSummary s = ModelSummary.of(m);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> obj = new LinkedHashMap<>();
      obj.put("file", model.toString());
      obj.put("fileBytes", Files.size(model));
      obj.put("summary", s);
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      out.println(mapper.writeValueAsString(obj));
    } else {
      printText(out, s);
    }
    out.flush();
    return 0;
  }

  private void printText(PrintWriter out, ModelSummary s) throws Exception {
    out.printf("model:      %s (%,d bytes)%n", model, Files.size(model));
    out.printf(
        "producer:   %s %s, IR version %d%n",
        s.producer().isEmpty() ? "(unknown)" : s.producer(), s.producerVersion(), s.irVersion());
    out.printf(
        "opsets:     %s%n",
        s.opsets().entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", ")));
    out.println("inputs:");
    s.inputs().forEach(io -> out.printf("  %-30s %s%n", io.name(), describe(io)));
    out.println("outputs:");
    s.outputs().forEach(io -> out.printf("  %-30s %s%n", io.name(), describe(io)));
    out.printf(
        "nodes:      %d%s%n",
        s.nodeCount(),
        s.subgraphNodeCount() > 0 ? " (+" + s.subgraphNodeCount() + " in subgraphs)" : "");
    out.println("op types:");
    s.opTypes().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(e -> out.printf("  %-30s %d%n", e.getKey(), e.getValue()));
    out.printf("parameters: %,d in %,d bytes%n", s.parameterCount(), s.parameterBytes());
    s.parametersByType()
        .forEach(
            (t, p) ->
                out.printf(
                    "  %-10s %,d tensors, %,d elements, %,d bytes%n",
                    t, p.tensors(), p.elements(), p.bytes()));
    out.printf(
        "quantized:  %s%n",
        s.quantized()
            ? "yes ("
                + s.quantizationOps().entrySet().stream()
                    .map(e -> e.getKey() + " x" + e.getValue())
                    .collect(Collectors.joining(", "))
                + ")"
            : "no");
    if (!s.metadata().isEmpty()) {
      out.println("metadata:");
      s.metadata().forEach((k, v) -> out.printf("  %s = %s%n", k, OctetCli.oneLine(v)));
    }
  }

  private static String describe(ModelSummary.Io io) {
    List<Object> shape = io.shape();
    String dims =
        shape == null
            ? "[rank unknown]"
            : shape.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    return io.type() + " " + dims;
  }
}
