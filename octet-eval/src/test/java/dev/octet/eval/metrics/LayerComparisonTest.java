package dev.octet.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.data.Mnist;
import dev.octet.quant.Recipe;
import dev.octet.quant.StaticQuantizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A deliberately bad quantization of one mnist-8 tensor is named first. */
class LayerComparisonTest {
  @Test
  void theSabotagedLayerIsNamedFirst() {
    Model fp32 = OnnxModels.load(SharedData.require("models/mnist-8.onnx"));
    Mnist m = Mnist.read(SharedData.require("data/mnist").resolve("train10k"), 200);
    List<Map<String, Tensor>> data = new ArrayList<>();
    for (float[] img : m.images()) {
      data.add(Map.of("Input3", Tensor.wrap(img, 1, 1, 28, 28)));
    }
    Model q = StaticQuantizer.quantize(fp32, data, Recipe.defaults(), 2, null).model();
    double healthyWorst =
        LayerComparison.run(fp32, q, data.subList(0, 10), 2).get(0).introducedDb();
    for (String victim :
        List.of("Convolution28_Output_0", "Pooling66_Output_0", "ReLU114_Output_0", "Input3")) {
      // shrink the range of that tensor's Q/DQ pair 100x: most of its values clip
      GraphEditor e = q.graph().edit();
      for (Node n : q.graph().nodes()) {
        if (n.opType().equals("QuantizeLinear") && n.input(0).equals(victim)) {
          e.putInitializer(
              n.input(1),
              Tensor.scalar(q.graph().initializers().get(n.input(1)).floats()[0] / 100));
        }
      }
      List<LayerComparison.Layer> layers =
          LayerComparison.run(fp32, q.withGraph(e.freeze()), data.subList(0, 10), 2);
      assertEquals(victim, layers.get(0).tensor(), layers.subList(0, 3).toString());
      assertTrue(
          layers.get(0).introducedDb() > healthyWorst + 20,
          layers.get(0) + " vs healthy " + healthyWorst);
    }
  }
}
