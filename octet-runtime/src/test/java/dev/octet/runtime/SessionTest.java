package dev.octet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Dim;
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

class SessionTest {
  /** y = relu(x @ W + b), x [batch, 4]. */
  static Model mlp() {
    Random r = new Random(9);
    float[] w = new float[4 * 3];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    return Model.of(
        new GraphEditor("mlp")
            .addInput(
                new ValueInfo(
                    "x",
                    new ValueType.TensorType(DType.FLOAT, List.of(Dim.of("batch"), Dim.of(4)))))
            .addOutput(new ValueInfo("y", null))
            .putInitializer("W", Tensor.wrap(w, 4, 3))
            .putInitializer("b", Tensor.wrap(new float[] {0.1f, -0.2f, 0.3f}, 3))
            .addNode(new Node("mm", "MatMul", List.of("x", "W"), List.of("h"), Attributes.empty()))
            .addNode(new Node("add", "Add", List.of("h", "b"), List.of("z"), Attributes.empty()))
            .addNode(new Node("relu", "Relu", List.of("z"), List.of("y"), Attributes.empty()))
            .freeze(),
        8,
        List.of(new OpsetImport("", 17)));
  }

  @Test
  void dynamicBatchAndListenerSeeEveryValue() {
    // fusion off: calibration and debugging need every intermediate value
    try (Session s = Session.create(mlp(), SessionOptions.defaults().withFusion(false))) {
      for (int batch : new int[] {1, 5}) {
        List<String> seen = new ArrayList<>();
        Map<String, Tensor> out =
            s.run(
                Map.of("x", Tensor.wrap(new float[batch * 4], batch, 4)),
                (name, node, t) -> seen.add(name));
        assertArrayEquals(new int[] {batch, 3}, out.get("y").shape());
        assertEquals(List.of("h", "z", "y"), seen);
        assertEquals(0.3f, out.get("y").floats()[2], 1e-6f);
      }
    }
  }

  @Test
  void badInputsAreNamed() {
    try (Session s = Session.create(mlp())) {
      OctetException missing = assertThrows(OctetException.class, () -> s.run(Map.of()));
      assertTrue(missing.getMessage().contains("missing input 'x'"), missing.getMessage());
      OctetException unknown =
          assertThrows(
              OctetException.class,
              () -> s.run(Map.of("x", Tensor.wrap(new float[4], 1, 4), "q", Tensor.scalar(1f))));
      assertTrue(unknown.getMessage().contains("'q'"), unknown.getMessage());
      OctetException dtype =
          assertThrows(
              OctetException.class, () -> s.run(Map.of("x", Tensor.wrap(new long[4], 1, 4))));
      assertTrue(
          dtype.getMessage().contains("int64") && dtype.getMessage().contains("float"),
          dtype.getMessage());
      OctetException rank =
          assertThrows(
              OctetException.class, () -> s.run(Map.of("x", Tensor.wrap(new float[4], 4))));
      assertTrue(rank.getMessage().contains("rank"), rank.getMessage());
      OctetException dim =
          assertThrows(
              OctetException.class, () -> s.run(Map.of("x", Tensor.wrap(new float[5], 1, 5))));
      assertTrue(dim.getMessage().contains("dimension 1 must be 4"), dim.getMessage());
    }
  }

  @Test
  void unsupportedOpsAreReportedTogetherBeforeAnythingRuns() {
    Model m =
        Model.of(
            new GraphEditor("g")
                .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2)))
                .addOutput(new ValueInfo("z", null))
                .addNode(new Node("a", "FancyOp", List.of("x"), List.of("y"), Attributes.empty()))
                .addNode(new Node("b", "OtherOp", List.of("y"), List.of("z"), Attributes.empty()))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    OctetException e = assertThrows(OctetException.class, () -> Session.create(m));
    assertTrue(
        e.getMessage().contains("'a' (FancyOp)") && e.getMessage().contains("'b' (OtherOp)"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("Supported ops:") && e.getMessage().contains("Conv"),
        e.getMessage());
  }

  @Test
  void kernelErrorsNameTheNodeAndShapes() {
    Model m =
        Model.of(
            new GraphEditor("g")
                .addInput(new ValueInfo("a", null))
                .addInput(new ValueInfo("b", null))
                .addOutput(new ValueInfo("c", null))
                .addNode(
                    new Node("adder", "Add", List.of("a", "b"), List.of("c"), Attributes.empty()))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    try (Session s = Session.create(m)) {
      OctetException e =
          assertThrows(
              OctetException.class,
              () ->
                  s.run(
                      Map.of(
                          "a", Tensor.wrap(new float[3], 3), "b", Tensor.wrap(new float[4], 4))));
      assertTrue(
          e.getMessage().startsWith("node 'adder' (Add)")
              && e.getMessage().contains("cannot broadcast"),
          e.getMessage());
    }
  }

  @Test
  void anEmptyInnerDimensionGivesZerosOrTheBias() {
    // ONNX allows K = 0: the sum over no products is 0, and Gemm's C is added to it
    Model m =
        Model.of(
            new GraphEditor("g")
                .addInput(new ValueInfo("x", null))
                .addInput(new ValueInfo("w", null))
                .addOutput(new ValueInfo("y", null))
                .addOutput(new ValueInfo("g", null))
                .putInitializer("c", Tensor.wrap(new float[] {1, -2, 3}, 3))
                .addNode(
                    new Node("mm", "MatMul", List.of("x", "w"), List.of("y"), Attributes.empty()))
                .addNode(
                    new Node(
                        "gemm", "Gemm", List.of("x", "w", "c"), List.of("g"), Attributes.empty()))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    for (int rows : new int[] {1, 5, 20, 300}) {
      for (int threads : new int[] {1, 2}) {
        try (Session s = Session.create(m, SessionOptions.defaults().withThreads(threads))) {
          Map<String, Tensor> out =
              s.run(
                  Map.of(
                      "x",
                      Tensor.wrap(new float[0], rows, 0),
                      "w",
                      Tensor.wrap(new float[0], 0, 3)));
          assertArrayEquals(new int[] {rows, 3}, out.get("y").shape());
          assertArrayEquals(new float[rows * 3], out.get("y").floats(), rows + " rows");
          float[] g = out.get("g").floats();
          for (int i = 0; i < rows; i++) {
            assertArrayEquals(
                new float[] {1, -2, 3}, java.util.Arrays.copyOfRange(g, 3 * i, 3 * i + 3));
          }
        }
      }
    }
  }

  @Test
  void constantSubgraphsAreFoldedAtPlanningTime() {
    Model m =
        Model.of(
            new GraphEditor("g")
                .addInput(new ValueInfo("x", null))
                .addOutput(new ValueInfo("y", null))
                .putInitializer("w", Tensor.wrap(new float[] {1, 2, 3, 4}, 2, 2))
                .addNode(
                    new Node(
                        "t",
                        "Transpose",
                        List.of("w"),
                        List.of("wt"),
                        Attributes.of(Map.of("perm", AttributeValue.ints(1, 0)))))
                .addNode(
                    new Node("mm", "MatMul", List.of("x", "wt"), List.of("y"), Attributes.empty()))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    try (Session s = Session.create(m)) {
      assertEquals(List.of("t"), s.plan().folded());
      assertEquals(1, s.plan().steps().size());
      float[] y = s.run(Map.of("x", Tensor.wrap(new float[] {1, 0}, 1, 2))).get("y").floats();
      assertArrayEquals(new float[] {1, 3}, y);
    }
  }
}
