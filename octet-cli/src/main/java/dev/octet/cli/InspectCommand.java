package dev.octet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.ModelSummary;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.runtime.Plan;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
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

  @Option(
      names = "--plan",
      description =
          "plan the model in Octet's runtime and show its kernels, which Q/DQ groups run as integer"
              + " kernels, which stay in float and why, and the bytes the session keeps")
  boolean plan;

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
    if (plan) {
      printPlan(out, m);
    }
    out.flush();
    return 0;
  }

  private static void printPlan(PrintWriter out, Model m) {
    try (Session session = Session.create(m, SessionOptions.defaults().withThreads(1))) {
      Plan p = session.plan();
      Map<String, Long> kernels =
          p.steps().stream()
              .map(
                  st ->
                      st.node().domain().isEmpty()
                          ? st.node().opType()
                          : st.node().domain() + "." + st.node().opType())
              .collect(
                  Collectors.groupingBy(k -> k, java.util.TreeMap::new, Collectors.counting()));
      out.printf(
          "plan:       %d steps, %d nodes folded into constants, %,d bytes resident (constants"
              + " and packed weights)%n",
          p.steps().size(), p.folded().size(), p.residentBytes());
      out.println(
          "kernels:    "
              + kernels.entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining(", ")));
      out.printf("integer:    %d Q/DQ group(s) run as integer kernels%n", p.integerGroups().size());
      p.integerGroups().forEach(g -> out.println("  " + g));
      out.printf(
          "float:      %d op(s) next to Q/DQ nodes compute in float%n", p.floatGroups().size());
      p.floatGroups().forEach(g -> out.println("  " + g));
    }
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
