package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.octet.runtime.Close;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conv followed by an inference BatchNormalization folds into one Conv at planning time ({@code
 * BatchNormFolding}, the quantizer's pass, among the runtime's fusions), then FusedConv with the
 * Relu after it, and computes what the two nodes compute; a batch norm the fold would change is
 * left alone; parameters computed by constant nodes (ONNX's light models) fold too.
 */
class ConvBatchNormTest {
  private static final Random R = new Random(23);

  /** x [2, 8, 9, 11] -> Conv 3x3 (12 channels, pad 1, bias when asked) -> BN -> Relu. */
  private static GraphEditor graph(boolean bias, Map<String, AttributeValue> bnAttrs) {
    float[] var = new float[12];
    for (int i = 0; i < var.length; i++) {
      var[i] = 0.05f + R.nextFloat() * 3; // variances far from 1, so the fold matters
    }
    GraphEditor e =
        new GraphEditor("cbn")
            .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, 8, 9, 11)))
            .addOutput(new ValueInfo("y", null))
            .putInitializer("w", TransposedMatMulTest.random(R, 12, 8, 3, 3))
            .putInitializer("scale", TransposedMatMulTest.random(R, 12))
            .putInitializer("beta", TransposedMatMulTest.random(R, 12))
            .putInitializer("mean", TransposedMatMulTest.random(R, 12))
            .putInitializer("var", Tensor.wrap(var, 12))
            .addNode(
                new Node(
                    "conv",
                    "Conv",
                    bias ? List.of("x", "w", "b") : List.of("x", "w"),
                    List.of("c"),
                    Attributes.of(Map.of("pads", AttributeValue.ints(1, 1, 1, 1)))))
            .addNode(
                new Node(
                    "bn",
                    "BatchNormalization",
                    List.of("c", "scale", "beta", "mean", "var"),
                    List.of("n"),
                    Attributes.of(bnAttrs)))
            .addNode(new Node("relu", "Relu", List.of("n"), List.of("y"), Attributes.empty()));
    return bias ? e.putInitializer("b", TransposedMatMulTest.random(R, 12)) : e;
  }

  private static Model model(GraphEditor e) {
    return Model.of(e.freeze(), 8, List.of(new OpsetImport("", 15)));
  }

  /** The fused and unfused sessions agree within float rounding; returns the fused plan's ops. */
  private static Map<String, Long> assertAgrees(Model model) {
    Map<String, Tensor> in = Map.of("x", TransposedMatMulTest.random(R, 2, 8, 9, 11));
    try (Session fused = Session.create(model);
        Session plain = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      Tensor a = fused.run(in).get("y");
      Tensor b = plain.run(in).get("y");
      assertArrayEquals(b.shape(), a.shape());
      double scale = 0;
      for (float v : b.floats()) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertTrue(scale > 1, "the test needs outputs of some size: " + scale);
      assertTrue(
          Close.maxAbsDiff(b, a) < 1e-5 * scale, "fused vs unfused: " + Close.maxAbsDiff(b, a));
      return FusionTest.ops(fused.plan().graph());
    }
  }

  @Test
  void foldsWithAndWithoutABiasAndTheReluFusesAfter() {
    for (boolean bias : new boolean[] {true, false}) {
      Model model = model(graph(bias, Map.of("epsilon", AttributeValue.of(1e-3f))));
      float[] w = model.graph().initializers().get("w").floats().clone();
      Map<String, Long> ops = assertAgrees(model);
      assertEquals(Map.of("com.octet.FusedConv", 1L), ops, "bias " + bias);
      // the model's own weight is untouched
      assertArrayEquals(w, model.graph().initializers().get("w").floats());
    }
  }

  @Test
  void aBatchNormInTrainingModeOrReadTwiceStays() {
    Model training = model(graph(true, Map.of("training_mode", AttributeValue.of(1L))));
    assertTrue(
        FusionTest.ops(Fusions.apply(training.graph())).containsKey("BatchNormalization"),
        "training mode");
    GraphEditor twice = graph(true, Map.of());
    twice
        .addOutput(new ValueInfo("c2", null))
        .addNode(new Node("copy", "Identity", List.of("c"), List.of("c2"), Attributes.empty()));
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(model(twice).graph()));
    assertTrue(ops.containsKey("BatchNormalization"), ops.toString());
  }

  @Test
  void parametersMadeByConstantNodesFoldToo() {
    // as in ONNX's light models: every parameter is a ConstantOfShape output
    GraphEditor e = graph(true, Map.of());
    Model plain = model(e);
    GraphEditor computed = new GraphEditor("computed");
    computed.addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, 8, 9, 11)));
    computed.addOutput(new ValueInfo("y", null));
    computed.putInitializer("w", plain.graph().initializers().get("w"));
    for (String p : List.of("scale", "beta", "mean", "var", "b")) {
      Tensor t = plain.graph().initializers().get(p);
      // a constant per channel, so that ConstantOfShape can make it
      float v = (float) Math.abs(t.getDouble(0)) + 0.5f;
      computed.putInitializer(p + "_shape", Tensor.wrap(new long[] {12}, 1));
      computed.addNode(
          new Node(
              p + "_make",
              "ConstantOfShape",
              List.of(p + "_shape"),
              List.of(p),
              Attributes.of(Map.of("value", AttributeValue.of(Tensor.wrap(new float[] {v}, 1))))));
    }
    plain.graph().nodes().forEach(computed::addNode);
    Model model = model(computed);
    Map<String, Long> ops = assertAgrees(model);
    assertFalse(ops.containsKey("BatchNormalization"), ops.toString());
    assertEquals(1L, ops.get("com.octet.FusedConv"), ops.toString());
  }
}
