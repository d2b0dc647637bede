package dev.octet.runtime.fusion;

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
 * Attention's Transposes fold into its MatMuls (strided packing and writes) and give the same
 * results as the separate ops, for odd sizes, one and two threads, a broadcast batch axis, and a B
 * operand of another rank (run unfused inside the fused op).
 */
class TransposedMatMulTest {
  static Node transpose(String in, String out, long... perm) {
    return new Node(
        out,
        "Transpose",
        List.of(in),
        List.of(out),
        Attributes.of(Map.of("perm", AttributeValue.ints(perm))));
  }

  private static Node matMul(String a, String b, String out) {
    return new Node(out, "MatMul", List.of(a, b), List.of(out), Attributes.empty());
  }

  @ParameterizedTest(name = "batch {0}, seq {1}, heads {2}, head size {3}, {4} thread(s)")
  @CsvSource({
    "2, 37, 3, 32, 1",
    "2, 37, 3, 32, 2",
    "1, 128, 12, 32, 2",
    "3, 5, 2, 17, 1",
    "1, 1, 4, 8, 2"
  })
  void attentionTransposesFoldAndAgree(int b, int s, int h, int d, int threads) {
    Model model =
        Model.of(
            new GraphEditor("attention")
                .addInput(new ValueInfo("q", ValueType.tensor(DType.FLOAT, b, s, h, d)))
                .addInput(new ValueInfo("k", ValueType.tensor(DType.FLOAT, b, s, h, d)))
                .addInput(new ValueInfo("v", ValueType.tensor(DType.FLOAT, b, s, h, d)))
                .addInput(new ValueInfo("w", ValueType.tensor(DType.FLOAT, 1, h, 7, d)))
                .addInput(new ValueInfo("u", ValueType.tensor(DType.FLOAT, d, 5)))
                .addOutput(new ValueInfo("y", null))
                .addOutput(new ValueInfo("z", null))
                .addOutput(new ValueInfo("x", null))
                .addNode(transpose("q", "qt", 0, 2, 1, 3))
                .addNode(transpose("k", "kt", 0, 2, 3, 1))
                .addNode(transpose("v", "vt", 0, 2, 1, 3))
                .addNode(matMul("qt", "kt", "scores"))
                .addNode(
                    new Node("sm", "Softmax", List.of("scores"), List.of("p"), Attributes.empty()))
                .addNode(matMul("p", "vt", "ctx"))
                .addNode(transpose("ctx", "y", 0, 2, 1, 3))
                // a B broadcast over the batch axis, read transposed ([1, h, 7, d] -> [1, h, d, 7])
                .addNode(transpose("q", "q2", 0, 2, 1, 3))
                .addNode(transpose("w", "wt", 0, 1, 3, 2))
                .addNode(matMul("q2", "wt", "z0"))
                .addNode(transpose("z0", "z", 0, 1, 3, 2))
                // B of rank 2 (not constant): the fused op runs its parts one by one
                .addNode(transpose("k", "k2", 0, 2, 1, 3))
                .addNode(matMul("k2", "u", "x"))
                .freeze(),
            8,
            List.of(new OpsetImport("", 13)));
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(model.graph(), 13));
    assertEquals(4L, ops.get("com.octet.TransposedMatMul"), ops.toString());
    assertEquals(1L, ops.get("Transpose"), ops.toString()); // z0's output: its last axis moves
    Random r = new Random(b * 1000L + s * 10L + h);
    Map<String, Tensor> in =
        Map.of(
            "q", random(r, b, s, h, d),
            "k", random(r, b, s, h, d),
            "v", random(r, b, s, h, d),
            "w", random(r, 1, h, 7, d),
            "u", random(r, d, 5));
    try (Session fused = Session.create(model, SessionOptions.defaults().withThreads(threads));
        Session plain =
            Session.create(
                model, SessionOptions.defaults().withThreads(threads).withFusion(false))) {
      Map<String, Tensor> want = plain.run(in);
      Map<String, Tensor> got = fused.run(in);
      for (String out : List.of("y", "z", "x")) {
        assertEquals(
            java.util.Arrays.toString(want.get(out).shape()),
            java.util.Arrays.toString(got.get(out).shape()),
            out);
        double diff = Close.maxAbsDiff(want.get(out), got.get(out));
        assertTrue(diff < 1e-5, out + ": max difference " + diff);
      }
    }
  }

  static Tensor random(Random r, int... shape) {
    float[] x = new float[Tensor.elementCount(shape)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return Tensor.wrap(x, shape);
  }
}
