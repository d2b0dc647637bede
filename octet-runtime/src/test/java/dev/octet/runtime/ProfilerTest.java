package dev.octet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The per-node profiler on a real model (mnist-8): every planned node is charged once per run. */
class ProfilerTest {
  @Test
  void aTypicalCallIsTheMedianNotMovedByASlowOne() {
    Profiler.Calls calls = new Profiler.Calls("n", "Op");
    assertEquals(0, calls.typical().nanos());
    calls.add(5);
    calls.add(7);
    assertEquals(2 * 7, calls.typical().nanos());
    for (long t : new long[] {6, 1000, 6}) {
      calls.add(t);
    }
    Profiler.Entry e = calls.typical();
    assertEquals(5, e.calls());
    assertEquals(6 * 5, e.nanos());
    assertEquals(5 + 7 + 6 + 1000 + 6, calls.total().nanos());
  }

  @Test
  void chargesEveryPlannedNodeOncePerRun() throws Exception {
    Model model = OnnxModels.load(SharedData.require("models/mnist-8.onnx"));
    float[] image = new float[28 * 28];
    Random r = new Random(3);
    for (int i = 0; i < image.length; i++) {
      image[i] = r.nextFloat() * 255f;
    }
    try (Session s = Session.create(model, SessionOptions.defaults().withThreads(1))) {
      String input = s.inputs().get(0).name();
      Map<String, Tensor> in = Map.of(input, Tensor.wrap(image, 1, 1, 28, 28));
      Map<String, Tensor> plain = s.run(in);
      Profiler p = new Profiler();
      for (int i = 0; i < 3; i++) {
        p.begin();
        Map<String, Tensor> out = s.run(in, p);
        // profiling does not change results
        assertEquals(
            plain.values().iterator().next().floats()[3],
            out.values().iterator().next().floats()[3]);
      }
      assertEquals(3, p.runs());
      Set<String> planned =
          s.plan().steps().stream().map(st -> st.node().name()).collect(Collectors.toSet());
      List<Profiler.Entry> nodes = p.nodes();
      assertEquals(planned, nodes.stream().map(Profiler.Entry::name).collect(Collectors.toSet()));
      for (Profiler.Entry e : nodes) {
        assertEquals(3, e.calls(), e.name());
        assertTrue(e.nanos() >= 0, e.name());
      }
      for (int i = 1; i < nodes.size(); i++) {
        assertTrue(nodes.get(i - 1).nanos() >= nodes.get(i).nanos(), "most time first");
      }
      // a typical run: each node's median call, times its calls
      List<Profiler.Entry> typical = p.typicalNodes();
      assertEquals(planned, typical.stream().map(Profiler.Entry::name).collect(Collectors.toSet()));
      for (Profiler.Entry e : typical) {
        assertEquals(3, e.calls(), e.name());
        assertEquals(0, e.nanos() % 3, e.name());
      }
      List<Profiler.Entry> ops = p.opTypes();
      assertEquals(p.totalNanos(), ops.stream().mapToLong(Profiler.Entry::nanos).sum());
      assertEquals(3 * nodes.size(), ops.stream().mapToInt(Profiler.Entry::calls).sum());
      assertEquals(
          s.plan().steps().stream()
              .map(st -> st.node().qualifiedOpType())
              .collect(Collectors.toSet()),
          ops.stream().map(Profiler.Entry::name).collect(Collectors.toSet()));
    }
  }
}
