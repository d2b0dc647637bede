package dev.octet.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphEditorTest {
  static Node node(String name, String op, List<String> in, List<String> out) {
    return new Node(name, op, in, out, Attributes.empty());
  }

  static GraphEditor chain() {
    // x -> relu -> a -> neg -> b -> abs -> y, nodes added out of order
    return new GraphEditor("g")
        .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2)))
        .addOutput(new ValueInfo("y", ValueType.tensor(DType.FLOAT, 2)))
        .addNode(node("abs", "Abs", List.of("b"), List.of("y")))
        .addNode(node("relu", "Relu", List.of("x"), List.of("a")))
        .addNode(node("neg", "Neg", List.of("a"), List.of("b")));
  }

  @Test
  void freezeSortsTopologicallyAndKeepsSortedGraphsUnchanged() {
    Graph g = chain().freeze();
    assertEquals(List.of("relu", "neg", "abs"), g.nodes().stream().map(Node::name).toList());
    assertEquals(g.nodes(), g.edit().freeze().nodes());
    assertEquals("neg", g.producer("b").orElseThrow().name());
    assertEquals(List.of("abs"), g.consumers("b").stream().map(Node::name).toList());
  }

  @Test
  void cyclesDanglingReadsAndDoubleAssignmentAreErrorsNamingTheNode() {
    OctetException cycle =
        assertThrows(
            OctetException.class,
            () ->
                chain()
                    .replaceNode("relu", node("relu", "Relu", List.of("y"), List.of("a")))
                    .freeze());
    assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
    OctetException dangling =
        assertThrows(
            OctetException.class,
            () ->
                chain()
                    .addNode(node("extra", "Add", List.of("a", "ghost"), List.of("z")))
                    .freeze());
    assertTrue(
        dangling.getMessage().contains("'extra'") && dangling.getMessage().contains("'ghost'"));
    OctetException twice =
        assertThrows(
            OctetException.class,
            () -> chain().addNode(node("dup", "Relu", List.of("x"), List.of("a"))).freeze());
    assertTrue(twice.getMessage().contains("'a'") && twice.getMessage().contains("dup"));
  }

  @Test
  void freshNamesAndUnnamedNodes() {
    GraphEditor e = chain();
    assertEquals("a_1", e.freshName("a"));
    assertEquals("a_2", e.freshName("a"));
    assertEquals("q", e.freshName("q"));
    e.addNode(node("", "Relu", List.of("y"), List.of("z")))
        .addNode(node("", "Relu", List.of("z"), List.of("w")));
    e.nameNodesUniquely();
    Graph g = e.freeze();
    assertEquals(5, g.nodes().stream().map(Node::name).distinct().count());
    assertTrue(g.findNode("Relu_3").isPresent(), g.nodes().toString());
  }

  @Test
  void subgraphsReadOuterValuesAsImplicitInputs() {
    Graph body =
        new GraphEditor("then")
            .addOutput(new ValueInfo("t", null))
            .addNode(node("inner", "Neg", List.of("a"), List.of("t")))
            .freezeSubgraph();
    assertEquals(java.util.Set.of("a"), body.freeVariables());
    Node iff =
        new Node(
            "if",
            "If",
            List.of("c"),
            List.of("y2"),
            Attributes.of(
                Map.of(
                    "then_branch",
                    new AttributeValue.GraphValue(body),
                    "else_branch",
                    new AttributeValue.GraphValue(body))));
    // the If is added before the node producing 'a': the sort must still put it after
    Graph g =
        chain()
            .addInput(new ValueInfo("c", ValueType.tensor(DType.BOOL)))
            .addOutput(new ValueInfo("y2", null))
            .replaceNode("relu", iff, node("relu", "Relu", List.of("x"), List.of("a")))
            .freeze();
    List<String> order = g.nodes().stream().map(Node::name).toList();
    assertTrue(order.indexOf("relu") < order.indexOf("if"), order.toString());
  }

  @Test
  void constantsResolveFromInitializersAndConstantNodes() {
    Graph g =
        chain()
            .putInitializer("w", Tensor.wrap(new float[] {1, 2}, 2))
            .addNode(
                new Node(
                    "k",
                    "Constant",
                    List.of(),
                    List.of("kv"),
                    Attributes.of(Map.of("value_ints", AttributeValue.ints(3, 4)))))
            .addNode(node("add", "Add", List.of("kv", "w"), List.of("s")))
            .addOutput(new ValueInfo("s", null))
            .freeze();
    assertEquals(2f, g.constant("w").orElseThrow().floats()[1]);
    assertEquals(4L, g.constant("kv").orElseThrow().longs()[1]);
    assertTrue(g.constant("a").isEmpty());
  }

  @Test
  void attributeAccessorsNameTheNodeOnTypeErrors() {
    Node n =
        new Node(
            "conv1",
            "Conv",
            List.of("x"),
            List.of("y"),
            Attributes.of(Map.of("group", AttributeValue.of(1.5f))));
    OctetException e = assertThrows(OctetException.class, () -> n.attributes().getInt("group", 1));
    assertTrue(
        e.getMessage().contains("conv1")
            && e.getMessage().contains("group")
            && e.getMessage().contains("FLOAT"),
        e.getMessage());
    assertEquals(7, n.attributes().getInt("missing", 7));
  }
}
