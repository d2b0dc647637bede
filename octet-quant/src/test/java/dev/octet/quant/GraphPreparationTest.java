package dev.octet.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.BatchNormFolding;
import dev.octet.core.testing.SharedData;
import dev.octet.runtime.ConstantFolding;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Constant folding and BatchNormalization folding on ResNet-50's real topology. */
class GraphPreparationTest {
  @Test
  void batchNormFoldsIntoConvOnResNet50WithoutChangingItsOutput() {
    Model light = OnnxModels.load(SharedData.require("onnx-backend/light/light_resnet50.onnx"));
    // the light model generates its weights with ConstantOfShape: fold them into initializers,
    // then give them random values (He-style for Conv, plausible statistics for BatchNorm)
    Model m = withRandomWeights(ConstantFolding.apply(light, Long.MAX_VALUE), 7);
    assertTrue(m.graph().nodes().stream().noneMatch(n -> n.opType().equals("ConstantOfShape")));
    long bn = count(m.graph(), "BatchNormalization");
    Model folded = BatchNormFolding.apply(m);
    assertEquals(53, bn);
    assertEquals(0, count(folded.graph(), "BatchNormalization"));
    assertEquals(count(m.graph(), "Conv"), count(folded.graph(), "Conv"));

    float[] x = new float[3 * 224 * 224];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-2, 2);
    }
    String input = m.graph().realInputs().get(0).name();
    Map<String, Tensor> in = Map.of(input, Tensor.wrap(x, 1, 3, 224, 224));
    float[] a = run(m, in);
    float[] b = run(folded, in);
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) * (double) (a[i] - b[i]);
      den += a[i] * (double) a[i];
    }
    assertTrue(den > 0 && Math.sqrt(num / den) < 1e-4, "relative error " + Math.sqrt(num / den));
  }

  private static float[] run(Model m, Map<String, Tensor> in) {
    try (Session s = Session.create(m, SessionOptions.defaults().withThreads(2))) {
      return s.run(in).values().iterator().next().toFloatArray();
    }
  }

  private static long count(Graph g, String op) {
    return g.nodes().stream().filter(n -> n.opType().equals(op)).count();
  }

  private static Model withRandomWeights(Model m, long seed) {
    Graph g = m.graph();
    GraphEditor e = g.edit();
    SplittableRandom r = new SplittableRandom(seed);
    for (Node n : g.nodes()) {
      switch (n.opType()) {
        case "Conv", "Gemm" -> {
          Tensor w = g.constant(n.input(1)).orElseThrow();
          double a = Math.sqrt(6.0 / (w.size() / w.dim(0)));
          e.putInitializer(n.input(1), random(w, r, -a, a));
        }
        case "BatchNormalization" -> {
          double[][] ranges = {{0.5, 1.5}, {-0.2, 0.2}, {-0.2, 0.2}, {0.5, 2}};
          for (int i = 1; i <= 4; i++) {
            Tensor t = g.constant(n.input(i)).orElseThrow();
            e.putInitializer(n.input(i), random(t, r, ranges[i - 1][0], ranges[i - 1][1]));
          }
        }
        default -> {}
      }
    }
    return m.withGraph(e.freeze());
  }

  private static Tensor random(Tensor like, SplittableRandom r, double lo, double hi) {
    assertEquals(DType.FLOAT, like.dtype());
    float[] v = new float[(int) like.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble(lo, hi);
    }
    return Tensor.wrap(v, like.shape());
  }
}
