package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
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
import org.junit.jupiter.api.Test;

/**
 * Convolutions joined by a Concat along the channels write straight into the joined tensor: same
 * bits as the unfused plan (batch 2, so each image's slice is strided), and a clear error when the
 * outputs cannot be joined.
 */
class ConvConcatTest {
  private static final Random R = new Random(11);

  private static Tensor random(int... shape) {
    return TransposedMatMulTest.random(R, shape);
  }

  /** x [2, 5, 9, 11] -> 1x1 conv (bias, Relu) ++ 3x3 conv (pads, no bias) ++ depthwise 3x3. */
  private static Model model(int secondPad) {
    Map<String, AttributeValue> pads =
        Map.of(
            "pads", AttributeValue.ints(secondPad, secondPad, secondPad, secondPad),
            "kernel_shape", AttributeValue.ints(3, 3));
    return Model.of(
        new GraphEditor("cc")
            .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, 5, 9, 11)))
            .addOutput(new ValueInfo("y", null))
            .putInitializer("w1", random(7, 5, 1, 1))
            .putInitializer("b1", random(7))
            .putInitializer("w2", random(4, 5, 3, 3))
            .putInitializer("w3", random(5, 1, 3, 3))
            .putInitializer("b3", random(5))
            .addNode(
                new Node("c1", "Conv", List.of("x", "w1", "b1"), List.of("h1"), Attributes.empty()))
            .addNode(new Node("r1", "Relu", List.of("h1"), List.of("a1"), Attributes.empty()))
            .addNode(new Node("c2", "Conv", List.of("x", "w2"), List.of("h2"), Attributes.of(pads)))
            .addNode(
                new Node(
                    "c3",
                    "Conv",
                    List.of("x", "w3", "b3"),
                    List.of("h3"),
                    Attributes.of(
                        Map.of(
                            "group", AttributeValue.of(5L),
                            "pads", AttributeValue.ints(1, 1, 1, 1)))))
            .addNode(
                new Node(
                    "cat",
                    "Concat",
                    List.of("a1", "h2", "h3"),
                    List.of("y"),
                    Attributes.of(Map.of("axis", AttributeValue.of(1L)))))
            .freeze(),
        8,
        List.of(new OpsetImport("", 13)));
  }

  @Test
  void fusedConvolutionsWriteTheirSlicesWithTheSameBits() {
    Model model = model(1);
    assertEquals(1L, FusionTest.ops(Fusions.apply(model.graph())).get("com.octet.ConvConcat"));
    Map<String, Tensor> in = Map.of("x", random(2, 5, 9, 11));
    try (Session fused = Session.create(model);
        Session plain = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      Tensor a = fused.run(in).get("y");
      Tensor b = plain.run(in).get("y");
      assertArrayEquals(new int[] {2, 16, 9, 11}, a.shape());
      assertArrayEquals(b.floats(), a.floats());
    }
  }

  @Test
  void outputsOfDifferentSizesNameBothConvolutions() {
    Model model = model(0); // c2 then makes 7 x 9, the others 9 x 11
    try (Session fused = Session.create(model)) {
      OctetException e =
          assertThrows(OctetException.class, () -> fused.run(Map.of("x", random(2, 5, 9, 11))));
      assertTrue(
          e.getMessage().contains("'cat'")
              && e.getMessage().contains("c1")
              && e.getMessage().contains("c2"),
          e.getMessage());
    }
  }
}
