package dev.octet.runtime.fusion;

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
 * A 2-D convolution (Conv, or FusedConv with its Relu) read only by a MaxPool becomes one FusedConv
 * with attribute pool=MaxPool and the pooling's attributes as pool.&lt;name&gt; (pool.node: the
 * MaxPool's name): the kernel pools each few rows of the convolution's output as the GEMM leaves
 * them, so the full-size output (SqueezeNet's first layer: 3.2 MB) is never written and read back.
 * A ConvConcat read only by a MaxPool fuses the same way, each of its convolutions pooling its own
 * channels (p&lt;i&gt;.pool, ...): max pooling goes channel by channel (where one of them writes
 * its whole output anyway, all do, into one buffer pooled once: see {@code ConvConcatKernel}).
 * MaxPools with an Indices output, pads not smaller than the kernel, or anything but two spatial
 * axes stay as they are.
 */
public final class ConvPoolFusion {
  private ConvPoolFusion() {}

  /** Fuses convolutions and ConvConcats (after {@code Fusions.fuseConvConcat}) with their pools. */
  public static Graph apply(Graph g) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      List<String> prefixes = poolPrefixes(g, n);
      Optional<Node> pool =
          prefixes.isEmpty()
              ? Optional.empty()
              : Fusions.onlyConsumer(g, n.output(0)).filter(ConvPoolFusion::fusablePool);
      if (pool.isEmpty()) {
        continue;
      }
      e = e == null ? g.edit() : e;
      Map<String, AttributeValue> attrs = new LinkedHashMap<>(n.attributes().asMap());
      for (String prefix : prefixes) {
        attrs.put(prefix, AttributeValue.of("MaxPool"));
        pool.get().attributes().asMap().forEach((k, v) -> attrs.put(prefix + "." + k, v));
        attrs.put(prefix + ".node", AttributeValue.of(pool.get().name()));
      }
      e.removeNode(pool.get().name());
      e.replaceNode(
          n.name(),
          new Node(
              n.name(),
              Fusions.DOMAIN,
              Fusions.is(n, "Conv") ? "FusedConv" : n.opType(),
              n.inputs(),
              pool.get().outputs().subList(0, 1),
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * Where a pooling's attributes go on n: "pool" for a 2-D convolution with a constant float weight
   * (Conv or FusedConv), "p&lt;i&gt;.pool" for each part of a ConvConcat; none for other nodes and
   * for those that pool already.
   */
  private static List<String> poolPrefixes(Graph g, Node n) {
    if (n.outputs().size() != 1
        || n.attributes().names().stream().anyMatch(k -> k.equals("pool") || k.endsWith(".pool"))) {
      return List.of();
    }
    boolean fused = n.domain().equals(Fusions.DOMAIN);
    if (fused && n.opType().equals("ConvConcat")) {
      List<String> parts = new ArrayList<>();
      for (long i = 0, count = n.attributes().getInt("parts"); i < count; i++) {
        parts.add("p" + i + ".pool");
      }
      return parts;
    }
    return Fusions.isConv2d(g, n) ? List.of("pool") : List.of();
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
