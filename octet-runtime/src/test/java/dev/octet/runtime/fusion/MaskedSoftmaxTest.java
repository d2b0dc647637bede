package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Softmax(scores / sqrt(d) + mask) fuses into MaskedSoftmax and agrees with the three ops (within a
 * relative 1e-5: the fused form multiplies by 1 / sqrt(d)), over the last axis (the attention case)
 * and over others (the legacy opset's flattening axis).
 */
class MaskedSoftmaxTest {
  @ParameterizedTest(name = "opset {0}, axis {1}")
  @CsvSource({"11, 3", "13, -1", "13, 3", "11, 1", "13, 2"})
  void fusedScoresMatchTheUnfusedOps(int opset, int axis) {
    Random r = new Random(opset * 10L + axis);
    int b = 2;
    int h = 3;
    int s = 37;
    float[] x = new float[b * h * s * s];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian() * 20;
    }
    float[] mask = new float[b * s];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = i % s > 30 ? -10000f : 0f; // padding positions of each sequence
    }
    Model model =
        Model.of(
            new GraphEditor("attention")
                .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, b, h, s, s)))
                .addInput(new ValueInfo("mask", ValueType.tensor(DType.FLOAT, b, 1, 1, s)))
                .addOutput(new ValueInfo("y", null))
                .putInitializer("d", Tensor.wrap(new float[] {5.656854f}, new int[0]))
                .addNode(
                    new Node("div", "Div", List.of("x", "d"), List.of("t"), Attributes.empty()))
                .addNode(
                    new Node("add", "Add", List.of("mask", "t"), List.of("u"), Attributes.empty()))
                .addNode(
                    new Node(
                        "sm",
                        "Softmax",
                        List.of("u"),
                        List.of("y"),
                        Attributes.of(Map.of("axis", AttributeValue.of((long) axis)))))
                .freeze(),
            8,
            List.of(new OpsetImport("", opset)));
    assertEquals(
        Map.of("com.octet.MaskedSoftmax", 1L), FusionTest.ops(Fusions.apply(model.graph(), opset)));
    Map<String, Tensor> in =
        Map.of("x", Tensor.wrap(x, b, h, s, s), "mask", Tensor.wrap(mask, b, 1, 1, s));
    try (Session fused = Session.create(model);
        Session plain = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      float[] want = plain.run(in).get("y").floats();
      float[] got = fused.run(in).get("y").floats();
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-5f * want[i] + 1e-12f, "element " + i);
      }
    }
  }
}
