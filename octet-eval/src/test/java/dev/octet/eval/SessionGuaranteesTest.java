package dev.octet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.bench.RandomInputs;
import dev.octet.eval.data.MiniLm;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Results do not depend on the thread count, and one session serves several threads at once. */
class SessionGuaranteesTest {
  static List<Model> models() {
    return List.of(
        OnnxModels.load(MiniLm.resource(MiniLm.MODEL)),
        Float16ToFloat32.apply(
            OnnxModels.load(SharedData.require("models/squeezenet1.0-fp16.onnx")), false));
  }

  @Test
  void outputsAreBitwiseEqualForOneAndTwoThreads() {
    List<Model> models = models();
    for (int i = 0; i < models.size(); i++) {
      Model m = models.get(i);
      int batch = i == 0 ? 2 : 1; // SqueezeNet's batch dimension is fixed to 1
      Map<String, Tensor> in = RandomInputs.of(m.graph(), 5, batch, 33, Map.of());
      try (Session one = Session.create(m, SessionOptions.defaults().withThreads(1));
          Session two = Session.create(m, SessionOptions.defaults().withThreads(2))) {
        Tensor a = one.run(in).values().iterator().next();
        Tensor b = two.run(in).values().iterator().next();
        assertArrayEquals(a.floats(), b.floats(), m.graph().name());
      }
    }
  }

  @Test
  void oneSessionServesConcurrentCallers() throws Exception {
    Model m = models().get(0);
    List<Map<String, Tensor>> inputs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      inputs.add(RandomInputs.of(m.graph(), 100 + i, 1, 8 + 5 * i, Map.of()));
    }
    try (Session s = Session.create(m, SessionOptions.defaults().withThreads(2))) {
      List<float[]> expected = new ArrayList<>();
      for (Map<String, Tensor> in : inputs) {
        expected.add(s.run(in).get("last_hidden_state").floats());
      }
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        for (int round = 0; round < 3; round++) {
          List<Future<float[]>> got = new ArrayList<>();
          for (Map<String, Tensor> in : inputs) {
            got.add(pool.submit(() -> s.run(in).get("last_hidden_state").floats()));
          }
          for (int i = 0; i < inputs.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i).get(), "input " + i);
          }
        }
      } finally {
        pool.shutdown();
      }
    }
  }
}
