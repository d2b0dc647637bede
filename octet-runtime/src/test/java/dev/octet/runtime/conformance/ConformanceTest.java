package dev.octet.runtime.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Dim;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.onnx.TensorFiles;
import dev.octet.core.testing.SharedData;
import dev.octet.runtime.Close;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import dev.octet.runtime.kernel.KernelRegistry;
import dev.octet.runtime.ops.StandardOps;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs every ONNX backend node test whose ops Octet registers, and the 'light' model tests, against
 * their expected outputs (rtol 1e-3, atol 1e-7, as ONNX's runner). Tests that cannot pass are
 * listed in conformance-exclusions.txt, each with its reason; an excluded test that passes is
 * reported so that the list does not go stale.
 */
class ConformanceTest {
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-7;

  static Map<String, String> exclusions() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream in =
        ConformanceTest.class.getResourceAsStream("/conformance-exclusions.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        int hash = l.indexOf('#');
        if (hash < 0) {
          throw new IllegalStateException("exclusion without a reason: " + l);
        }
        out.put(l.substring(0, hash).strip(), l.substring(hash + 1).strip());
      }
    }
    return out;
  }

  /** Null when it passed, else why not. */
  static String runCase(Path dir, KernelRegistry registry, int threads) {
    Model model = OnnxModels.load(dir.resolve("model.onnx"));
    try (Session s =
        Session.create(
            model, SessionOptions.defaults().withRegistry(registry).withThreads(threads))) {
      List<Path> sets;
      try (Stream<Path> st = Files.list(dir)) {
        sets =
            st.filter(p -> p.getFileName().toString().startsWith("test_data_set"))
                .sorted()
                .toList();
      }
      for (Path set : sets) {
        Graph g = model.graph();
        List<ValueInfo> ins = g.realInputs();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (int i = 0; i < ins.size(); i++) {
          Path f = set.resolve("input_" + i + ".pb");
          if (Files.exists(f)) {
            inputs.put(ins.get(i).name(), TensorFiles.read(f).tensor());
          }
        }
        Map<String, Tensor> out = s.run(inputs);
        for (int i = 0; i < g.outputs().size(); i++) {
          Path f = set.resolve("output_" + i + ".pb");
          if (!Files.exists(f)) {
            continue;
          }
          Tensor expected = TensorFiles.read(f).tensor();
          String name = g.outputs().get(i).name();
          String diff = Close.compare(expected, out.get(name), RTOL, ATOL);
          if (diff != null) {
            return set.getFileName() + " output '" + name + "': " + diff;
          }
        }
      }
      return null;
    } catch (RuntimeException | IOException e) {
      return e.toString();
    }
  }

  static boolean registered(Model m, KernelRegistry registry) {
    for (Node n : m.graph().nodes()) {
      if (!registry.supports(n.domain(), n.opType())) {
        return false;
      }
    }
    return true;
  }

  @Test
  void nodeTestsOfRegisteredOpsPass() throws IOException {
    Path root = SharedData.require("onnx-backend/node");
    KernelRegistry registry = StandardOps.registry();
    Map<String, String> excluded = exclusions();
    Map<String, int[]> perOp = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    int ran = 0;
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      String name = dir.getFileName().toString();
      Model m = OnnxModels.load(dir.resolve("model.onnx"));
      if (!registered(m, registry)) {
        continue;
      }
      String op =
          m.graph().nodes().isEmpty()
              ? "?"
              : m.graph().nodes().get(m.graph().nodes().size() - 1).opType();
      int[] counts = perOp.computeIfAbsent(op, k -> new int[3]);
      String result = runCase(dir, registry, name.hashCode() % 2 == 0 ? 1 : 2);
      ran++;
      if (excluded.containsKey(name)) {
        counts[2]++;
        if (result == null) {
          stale.add(name);
        }
      } else if (result == null) {
        counts[0]++;
      } else {
        counts[1]++;
        failures.add(name + ": " + result);
      }
    }
    StringBuilder report =
        new StringBuilder("ONNX node conformance, per op (passed/failed/excluded):\n");
    perOp.forEach(
        (op, c) -> report.append(String.format("  %-24s %3d %3d %3d%n", op, c[0], c[1], c[2])));
    int passed = perOp.values().stream().mapToInt(c -> c[0]).sum();
    report
        .append("total: ")
        .append(ran)
        .append(" run, ")
        .append(passed)
        .append(" passed, ")
        .append(failures.size())
        .append(" failed, ")
        .append(ran - passed - failures.size())
        .append(" excluded\n");
    if (!stale.isEmpty()) {
      report.append("excluded but now passing (remove from the list): ").append(stale).append('\n');
    }
    System.out.println(report);
    if (!failures.isEmpty()) {
      fail(failures.size() + " conformance tests failed:\n" + String.join("\n", failures));
    }
    assertTrue(passed > 500, "expected hundreds of passing tests, got " + passed);
  }

  /**
   * The light models carry constant weights (ConstantOfShape), so their outputs barely depend on
   * the input; the ONNX data has no input file, and zeros are fed.
   */
  @Test
  void lightModelsMatchTheirExpectedOutputs() throws IOException {
    Path root = SharedData.require("onnx-backend/light");
    List<String> failures = new ArrayList<>();
    int ran = 0;
    try (Stream<Path> s = Files.list(root)) {
      for (Path file : s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList()) {
        String name = file.getFileName().toString().replace(".onnx", "");
        Model m = OnnxModels.load(file);
        Tensor expected = TensorFiles.read(root.resolve(name + "_output_0.pb")).tensor();
        ValueInfo in = m.graph().realInputs().get(0);
        int[] shape =
            in.tensorType().shape().stream().mapToInt(d -> (int) ((Dim.Fixed) d).value()).toArray();
        try (Session session = Session.create(m, SessionOptions.defaults().withThreads(2))) {
          Tensor out =
              session
                  .run(Map.of(in.name(), Tensor.zeros(DType.FLOAT, shape)))
                  .values()
                  .iterator()
                  .next();
          String diff = Close.compare(expected, out, RTOL, ATOL);
          if (diff != null) {
            failures.add(name + ": " + diff);
          }
        } catch (RuntimeException e) {
          failures.add(name + ": " + e.getMessage());
        }
        ran++;
      }
    }
    assertTrue(ran >= 9, "expected the 9 light models, found " + ran);
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }
}
