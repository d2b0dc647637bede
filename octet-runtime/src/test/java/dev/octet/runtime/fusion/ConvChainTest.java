package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A first convolution with a fused max pooling, read only by a pointwise convolution (SqueezeNet's
 * stem and fire2's squeeze), runs as one ConvChain: each pooled row is multiplied by the pointwise
 * weights before it is written. The same bits as the unfused plan: output channels in one, two or
 * three vectors, with and without bias and Relu, pooled rows narrower than a block of positions,
 * batch 2, one and two threads; and where the pointwise step cannot apply to pooled rows (a stride
 * of 2, an output too narrow for the stem's tiles), the two convolutions one after the other.
 */
class ConvChainTest {
  private static final Random R = new Random(29);

  /**
   * x [2, c, h, w] -> Conv (3x3, stride 2, pad 1, 64 channels, bias) -> Relu -> MaxPool (3x3,
   * stride 2) -> Conv (1x1, n channels, stride s, bias when asked) [-> Relu when asked].
   */
  private static Model model(int c, int h, int w, int n, boolean bias, boolean relu, int s) {
    List<String> squeezeIn = new ArrayList<>(List.of("p", "w2"));
    GraphEditor e =
        new GraphEditor("chain")
            .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, c, h, w)))
            .addOutput(new ValueInfo("y", null))
            .putInitializer("w1", random(64, c, 3, 3))
            .putInitializer("b1", random(64))
            .putInitializer("w2", random(n, 64, 1, 1));
    if (bias) {
      e.putInitializer("b2", random(n));
      squeezeIn.add("b2");
    }
    e.addNode(
            new Node(
                "conv1",
                "Conv",
                List.of("x", "w1", "b1"),
                List.of("h"),
                Attributes.of(
                    Map.of(
                        "pads", AttributeValue.ints(1, 1, 1, 1),
                        "strides", AttributeValue.ints(2, 2)))))
        .addNode(new Node("relu1", "Relu", List.of("h"), List.of("r"), Attributes.empty()))
        .addNode(
            new Node(
                "pool1",
                "MaxPool",
                List.of("r"),
                List.of("p"),
                Attributes.of(
                    Map.of(
                        "kernel_shape",
                        AttributeValue.ints(3, 3),
                        "strides",
                        AttributeValue.ints(2, 2)))))
        .addNode(
            new Node(
                "squeeze",
                "Conv",
                squeezeIn,
                List.of(relu ? "q" : "y"),
                Attributes.of(Map.of("strides", AttributeValue.ints(s, s)))));
    if (relu) {
      e.addNode(new Node("relu2", "Relu", List.of("q"), List.of("y"), Attributes.empty()));
    }
    return Model.of(e.freeze(), 8, List.of(new OpsetImport("", 13)));
  }

  private static Tensor random(int... shape) {
    return TransposedMatMulTest.random(R, shape);
  }

  @ParameterizedTest(name = "{0}x{1}x{2} -> 64 -> {3}, bias {4}, relu {5}, stride {6}, {7}T")
  @CsvSource({
    // SqueezeNet's shape, smaller: 16 output channels (two 8-lane vectors, or one of 16)
    "3, 61, 47, 16, true, true, 1, 1",
    "3, 61, 47, 16, true, true, 1, 2",
    // one vector (8 lanes; with 16 lanes, the two one after the other), three, four
    "3, 45, 51, 8, true, true, 1, 1",
    "3, 45, 51, 24, false, true, 1, 2",
    "1, 40, 70, 32, true, false, 1, 2",
    "4, 33, 29, 16, false, false, 1, 1",
    // pooled rows 2 and 3 positions wide: fewer than a block of 4
    "3, 19, 11, 16, true, true, 1, 1",
    "3, 19, 15, 16, true, true, 1, 2",
    // a pointwise convolution at stride 2, and an output too narrow for the stem's tiles (the
    // GEMM's): the two convolutions one after the other
    "3, 61, 47, 16, true, true, 2, 2",
    "3, 9, 7, 16, true, true, 1, 1",
  })
  void chainGivesTheSameBitsAsUnfused(
      int c, int h, int w, int n, boolean bias, boolean relu, int stride, int threads) {
    Model model = model(c, h, w, n, bias, relu, stride);
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(model.graph()));
    assertEquals(Map.of("com.octet.ConvChain", 1L), ops);
    FusionTest.assertSameBitsAsUnfused(model, Map.of("x", random(2, c, h, w)), "y", threads);
  }

  @Test
  void pooledOutputReadElsewhereOrA3x3NextStaysApart() {
    Model model = model(3, 30, 30, 16, true, true, 1);
    GraphEditor read = model.graph().edit();
    read.addOutput(new ValueInfo("p", null));
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(read.freeze()));
    assertFalse(ops.containsKey("com.octet.ConvChain"), ops.toString());
    assertEquals(2L, ops.get("com.octet.FusedConv"), ops.toString());

    GraphEditor wide = model.graph().edit();
    wide.putInitializer("w2", random(16, 64, 3, 3));
    ops = FusionTest.ops(Fusions.apply(wide.freeze()));
    assertFalse(ops.containsKey("com.octet.ConvChain"), ops.toString());
  }
}
