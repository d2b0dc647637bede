package dev.octet.runtime.fusion;

import dev.octet.core.DType;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A 2-D convolution (Conv, or FusedConv with its Relu) read only by a MaxPool becomes one FusedConv
 * with attribute pool=MaxPool and the pooling's attributes as pool.&lt;name&gt; (pool.node: the
 * MaxPool's name): the kernel pools each few rows of the convolution's output as the GEMM leaves
 * them, so the full-size output (SqueezeNet's first layer: 3.2 MB) is never written and read back.
 * MaxPools with an Indices output, pads not smaller than the kernel, or anything but two spatial
 * axes stay as they are.
 */
public final class ConvPoolFusion {
  private ConvPoolFusion() {}

  /** Fuses convolutions with their poolings: before the convolutions join in ConvConcat. */
  public static Graph apply(Graph g) {
    GraphEditor e = null;
    for (Node conv : g.nodes()) {
      if (!convolution(g, conv)) {
        continue;
      }
      Optional<Node> pool =
          Fusions.onlyConsumer(g, conv.output(0)).filter(ConvPoolFusion::fusablePool);
      if (pool.isEmpty()) {
        continue;
      }
      e = e == null ? g.edit() : e;
      Map<String, AttributeValue> attrs = new LinkedHashMap<>(conv.attributes().asMap());
      attrs.put("pool", AttributeValue.of("MaxPool"));
      pool.get().attributes().asMap().forEach((k, v) -> attrs.put("pool." + k, v));
      attrs.put("pool.node", AttributeValue.of(pool.get().name()));
      e.removeNode(pool.get().name());
      e.replaceNode(
          conv.name(),
          new Node(
              conv.name(),
              Fusions.DOMAIN,
              "FusedConv",
              conv.inputs(),
              pool.get().outputs().subList(0, 1),
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * A ConvConcat read only by a MaxPool: max pooling works channel by channel, so each convolution
   * pools its own channels (after {@code Fusions.fuseConvConcat}).
   */
  public static Graph applyToConcats(Graph g) {
    GraphEditor e = null;
    for (Node cat : g.nodes()) {
      if (!cat.domain().equals(Fusions.DOMAIN)
          || !cat.opType().equals("ConvConcat")
          || cat.attributes().asMap().keySet().stream().anyMatch(k -> k.contains(".pool"))) {
        continue;
      }
      Optional<Node> pool =
          Fusions.onlyConsumer(g, cat.output(0)).filter(ConvPoolFusion::fusablePool);
      if (pool.isEmpty()) {
        continue;
      }
      e = e == null ? g.edit() : e;
      Map<String, AttributeValue> attrs = new LinkedHashMap<>(cat.attributes().asMap());
      for (long i = 0, parts = cat.attributes().getInt("parts"); i < parts; i++) {
        String prefix = "p" + i + ".pool";
        attrs.put(prefix, AttributeValue.of("MaxPool"));
        pool.get().attributes().asMap().forEach((k, v) -> attrs.put(prefix + "." + k, v));
        attrs.put(prefix + ".node", AttributeValue.of(pool.get().name()));
      }
      e.removeNode(pool.get().name());
      e.replaceNode(
          cat.name(),
          new Node(
              cat.name(),
              Fusions.DOMAIN,
              "ConvConcat",
              cat.inputs(),
              pool.get().outputs().subList(0, 1),
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /** A Conv or FusedConv without pooling, over two spatial axes, with a constant float weight. */
  private static boolean convolution(Graph g, Node n) {
    boolean conv =
        Fusions.is(n, "Conv")
            || (n.domain().equals(Fusions.DOMAIN)
                && n.opType().equals("FusedConv")
                && !n.attributes().asMap().containsKey("pool"));
    return conv
        && n.outputs().size() == 1
        && n.inputs().size() >= 2
        && g.constant(n.input(1))
            .filter(w -> w.rank() == 4 && w.dtype() == DType.FLOAT)
            .isPresent();
  }

  private static boolean fusablePool(Node p) {
    if (!Fusions.is(p, "MaxPool") || (p.outputs().size() > 1 && !p.outputs().get(1).isEmpty())) {
      return false;
    }
    long[] kernel = p.attributes().getInts("kernel_shape");
    if (kernel == null || kernel.length != 2) {
      return false;
    }
    long[] pads = p.attributes().getInts("pads");
    if (pads != null) {
      if (pads.length != 4) {
        return false;
      }
      for (int i = 0; i < 4; i++) {
        if (pads[i] < 0 || pads[i] >= kernel[i % 2]) {
          return false;
        }
      }
    }
    return true;
  }
}
