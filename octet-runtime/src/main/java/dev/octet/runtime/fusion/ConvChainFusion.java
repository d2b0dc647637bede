package dev.octet.runtime.fusion;

import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A network's first convolution with a fused max pooling (after {@link ConvPoolFusion}; at most 4
 * input channels, as the kernel's stem form takes) whose output only a pointwise convolution reads
 * becomes one com.octet.ConvChain (inputs X, W0, B0, W1, B1; attributes p0.* and p1.* as a
 * ConvConcat's parts, p&lt;i&gt;.node their names): the kernel multiplies each pooled row by the
 * pointwise weights while it is in cache, so the pooled output is never written (SqueezeNet: the
 * stem and fire2's squeeze).
 */
public final class ConvChainFusion {
  private ConvChainFusion() {}

  public static Graph apply(Graph g) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      if (!stem(g, n)) {
        continue;
      }
      Optional<Node> next = Fusions.onlyConsumer(g, n.output(0)).filter(p -> pointwise(g, p, n));
      if (next.isEmpty()) {
        continue;
      }
      Node p = next.get();
      e = e == null ? g.edit() : e;
      List<String> inputs = new ArrayList<>();
      Map<String, AttributeValue> attrs = new LinkedHashMap<>();
      Node[] parts = {n, p};
      for (int i = 0; i < 2; i++) {
        List<String> in = parts[i].inputs();
        for (int k = i; k < 3; k++) {
          inputs.add(k < in.size() ? in.get(k) : "");
        }
        String prefix = "p" + i + ".";
        parts[i].attributes().asMap().forEach((k, v) -> attrs.put(prefix + k, v));
        attrs.put(prefix + "node", AttributeValue.of(parts[i].name()));
      }
      e.removeNode(p.name());
      e.replaceNode(
          n.name(),
          new Node(
              n.name(),
              Fusions.DOMAIN,
              "ConvChain",
              inputs,
              p.outputs(),
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /** A FusedConv with a fused pooling, a constant float weight [M][C <= 4][kh][kw]. */
  private static boolean stem(Graph g, Node n) {
    return n.domain().equals(Fusions.DOMAIN)
        && n.opType().equals("FusedConv")
        && !n.attributes().getString("pool", "").isEmpty()
        && Fusions.isConv2d(g, n)
        && g.constant(n.input(1)).map(w -> w.dim(1) <= 4).orElse(false);
  }

  /**
   * A Conv or FusedConv without a pooling that reads {@code first}'s output as its X only, with a
   * constant float weight [n][first's M][1][1].
   */
  private static boolean pointwise(Graph g, Node p, Node first) {
    String value = first.output(0);
    Tensor w0 = g.constant(first.input(1)).orElseThrow();
    return Fusions.isConv2d(g, p)
        && p.attributes().getString("pool", "").isEmpty()
        && p.input(0).equals(value)
        && p.inputs().lastIndexOf(value) == 0
        && g.constant(p.input(1))
            .filter(w -> w.dim(1) == w0.dim(0) && w.dim(2) == 1 && w.dim(3) == 1)
            .isPresent();
  }
}
