package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reshape shapes computed as Concat(Unsqueeze(Gather(Shape(x), i)), constants) become constants
 * only where entry i copies dimension i of the reshaped tensor; the shape arithmetic is dropped.
 */
class ReshapeShapesTest {
  /** Reshape(x [2,3,4], Concat(Unsqueeze(Gather(Shape(x), index)), [-1])). */
  private static Graph reshapeBy(long index) {
    return new GraphEditor("g")
        .addInput(new ValueInfo("x", null))
        .putInitializer("i", Tensor.scalar(index))
        .putInitializer("rest", Tensor.wrap(new long[] {-1}, 1))
        .addNode(new Node("shape", "Shape", List.of("x"), List.of("s"), Attributes.empty()))
        .addNode(new Node("gather", "Gather", List.of("s", "i"), List.of("d"), Attributes.empty()))
        .addNode(
            new Node(
                "unsqueeze",
                "Unsqueeze",
                List.of("d"),
                List.of("u"),
                Attributes.of(Map.of("axes", AttributeValue.ints(0)))))
        .addNode(
            new Node(
                "concat",
                "Concat",
                List.of("u", "rest"),
                List.of("spec"),
                Attributes.of(Map.of("axis", AttributeValue.of(0L)))))
        .addNode(
            new Node("reshape", "Reshape", List.of("x", "spec"), List.of("y"), Attributes.empty()))
        .addOutput(new ValueInfo("y", null))
        .freeze();
  }

  @Test
  void aCopiedDimensionBecomesZeroAndTheArithmeticGoes() {
    Graph g = ReshapeShapes.apply(reshapeBy(0), 11);
    assertEquals(List.of("Reshape"), g.nodes().stream().map(Node::opType).toList());
    Tensor spec = g.constant(g.nodes().get(0).input(1)).orElseThrow();
    assertArrayEquals(new long[] {0, -1}, spec.longs());
  }

  @Test
  void anotherDimensionAtThisPositionIsLeftAlone() {
    // Gather(Shape(x), 1) at position 0 is dimension 1 of x, not "copy dimension 0"
    Graph g = ReshapeShapes.apply(reshapeBy(1), 11);
    assertEquals(5, g.nodes().size());
    assertTrue(g.constant(g.nodes().get(4).input(1)).isEmpty());
  }

  @Test
  void miniLmShapeArithmeticFolds() {
    Model model = OnnxModels.load(SharedData.resource("all-minilm-l6-v2.onnx"));
    Graph g = Fusions.apply(model.graph(), model.opsetVersion(""));
    long shapes = g.nodes().stream().filter(n -> n.opType().equals("Shape")).count();
    long reshapes = g.nodes().stream().filter(n -> n.opType().equals("Reshape")).count();
    long constant =
        g.nodes().stream()
            .filter(n -> n.opType().equals("Reshape") && g.constant(n.input(1)).isPresent())
            .count();
    // 24 Reshapes, all with constant shapes; of 49 Shape nodes the one of the mask remains
    assertEquals(24, reshapes);
    assertEquals(reshapes, constant);
    assertTrue(shapes <= 1, "Shape nodes left: " + shapes);
  }
}
