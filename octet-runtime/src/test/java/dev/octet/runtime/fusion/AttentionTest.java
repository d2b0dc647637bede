package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scaled, masked attention as exporters write it (Transposes into heads, MatMul, Div, Add of the
 * mask, Softmax, MatMul, Transpose back) becomes one com.octet.Attention op and agrees with the
 * separate ops: odd sizes, one and two threads, a mask broadcast over heads and rows or given per
 * score, the opset 11 Softmax axis.
 */
class AttentionTest {
  private static Node op(String type, String out, String... in) {
    return new Node(out, type, List.of(in), List.of(out), Attributes.empty());
  }

  @ParameterizedTest(
      name =
          "batch {0}, seq {1}, heads {2}, head size {3}, {4} thread(s), full mask {5}, opset {6}")
  @CsvSource({
    "2, 37, 3, 32, 1, false, 13",
    "2, 37, 3, 32, 2, false, 13",
    "1, 128, 12, 32, 2, false, 13",
    "3, 5, 2, 17, 1, true, 13",
    "1, 1, 4, 8, 2, false, 13",
    "2, 20, 2, 16, 2, true, 11"
  })
  void attentionFusesAndAgrees(
      int b, int s, int h, int d, int threads, boolean fullMask, int opset) {
    int[] maskShape = fullMask ? new int[] {b, h, s, s} : new int[] {b, 1, 1, s};
    Model model =
        Model.of(
            new GraphEditor("attention")
                .addInput(new ValueInfo("q", ValueType.tensor(DType.FLOAT, b, s, h, d)))
                .addInput(new ValueInfo("k", ValueType.tensor(DType.FLOAT, b, s, h, d)))
                .addInput(new ValueInfo("v", ValueType.tensor(DType.FLOAT, b, s, h, d)))
                .addInput(
                    new ValueInfo(
                        "mask",
                        ValueType.tensor(
                            DType.FLOAT,
                            java.util.Arrays.stream(maskShape).asLongStream().toArray())))
                .addOutput(new ValueInfo("y", null))
                .putInitializer(
                    "sqrt_d", Tensor.wrap(new float[] {(float) Math.sqrt(d)}, new int[0]))
                .addNode(TransposedMatMulTest.transpose("q", "qt", 0, 2, 1, 3))
                .addNode(TransposedMatMulTest.transpose("k", "kt", 0, 2, 3, 1))
                .addNode(TransposedMatMulTest.transpose("v", "vt", 0, 2, 1, 3))
                .addNode(op("MatMul", "scores", "qt", "kt"))
                .addNode(op("Div", "scaled", "scores", "sqrt_d"))
                .addNode(op("Add", "masked", "scaled", "mask"))
                .addNode(
                    new Node(
                        "p",
                        "Softmax",
                        List.of("masked"),
                        List.of("p"),
                        Attributes.of(Map.of("axis", AttributeValue.of(3L)))))
                .addNode(op("MatMul", "ctx", "p", "vt"))
                .addNode(TransposedMatMulTest.transpose("ctx", "y", 0, 2, 1, 3))
                .freeze(),
            8,
            List.of(new OpsetImport("", opset)));
    assertEquals(
        Map.of("com.octet.Attention", 1L), FusionTest.ops(Fusions.apply(model.graph(), opset)));
    Random r = new Random(b * 1000L + s * 10L + h);
    float[] mask = new float[Tensor.elementCount(maskShape)];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = r.nextInt(4) == 0 ? -10000f : 0f;
    }
    Map<String, Tensor> in =
        Map.of(
            "q", TransposedMatMulTest.random(r, b, s, h, d),
            "k", TransposedMatMulTest.random(r, b, s, h, d),
            "v", TransposedMatMulTest.random(r, b, s, h, d),
            "mask", Tensor.wrap(mask, maskShape));
    try (Session fused = Session.create(model, SessionOptions.defaults().withThreads(threads));
        Session plain =
            Session.create(
                model, SessionOptions.defaults().withThreads(threads).withFusion(false))) {
      Tensor want = plain.run(in).get("y");
      Tensor got = fused.run(in).get("y");
      assertArrayEquals(want.shape(), got.shape());
      // the fused softmax multiplies by 1 / sqrt(d) where the graph divides: about one ulp
      double diff = Close.maxAbsDiff(want, got);
      assertTrue(diff < 1e-5, "max difference " + diff);
    }
  }
}
