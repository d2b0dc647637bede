package dev.octet.runtime.fusion;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The shape arithmetic that exporters write before every Reshape of a transformer ({@code
 * x.view(x.size()[:-1] + (heads, head_size))}: Shape, Gather, Unsqueeze and Concat, about 200 nodes
 * in all-MiniLM-L6-v2) becomes a constant shape when each computed entry only copies the dimension
 * of the reshaped tensor at the same position: such an entry is 0 in Reshape's own notation (copy
 * the input's dimension). The nodes that fed only those shapes are then dropped. ONNX Runtime does
 * the same (its Reshape fusion).
 */
final class ReshapeShapes {
  /** Ops without side effects that shape arithmetic is made of: dropped when nothing reads them. */
  private static final Set<String> PURE =
      Set.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Constant", "Cast", "Slice");

  private ReshapeShapes() {}

  static Graph apply(Graph g, long opset) {
    GraphEditor e = null;
    for (Node r : g.nodes()) {
      if (!Fusions.is(r, "Reshape")
          || r.inputs().size() < 2
          || r.attributes().getInt("allowzero", 0) != 0
          || g.constant(r.input(1)).isPresent()) {
        continue;
      }
      long[] spec = spec(g, r.input(0), r.input(1), opset);
      if (spec == null) {
        continue;
      }
      e = e == null ? g.edit() : e;
      String name = e.freshName(r.name() + "_shape");
      e.putInitializer(name, Tensor.wrap(spec, spec.length));
      e.replaceNode(r.name(), r.withInputs(List.of(r.input(0), name)));
    }
    return e == null ? g : dropUnread(e.freezeSubgraph());
  }

  /**
   * The constant equivalent of {@code shape} = Concat(parts) for reshaping {@code data}, or null:
   * each part is a constant 1-D int64 (kept as is) or Unsqueeze(Gather(Shape(data), i)) at output
   * position i (becomes 0).
   */
  private static long[] spec(Graph g, String data, String shape, long opset) {
    Node cat = g.producer(shape).filter(c -> Fusions.is(c, "Concat")).orElse(null);
    if (cat == null || cat.attributes().getInt("axis", 0) != 0) {
      return null;
    }
    List<Long> out = new ArrayList<>();
    for (String part : cat.inputs()) {
      Optional<Tensor> c = g.constant(part);
      if (c.isPresent()) {
        Tensor t = c.get();
        if (t.dtype() != DType.INT64 || t.rank() != 1) {
          return null;
        }
        for (long v : t.longs()) {
          out.add(v);
        }
      } else if (copiesDimension(g, part, data, out.size(), opset)) {
        out.add(0L);
      } else {
        return null;
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** Whether {@code value} = Unsqueeze(Gather(Shape(data), position), axes [0]). */
  private static boolean copiesDimension(
      Graph g, String value, String data, int position, long opset) {
    Node unsqueeze = g.producer(value).filter(u -> Fusions.is(u, "Unsqueeze")).orElse(null);
    if (unsqueeze == null) {
      return false;
    }
    long[] axes =
        opset >= 13 || unsqueeze.inputs().size() > 1
            ? g.constant(unsqueeze.input(1)).map(Tensor::longs).orElse(null)
            : unsqueeze.attributes().getInts("axes");
    if (axes == null || axes.length != 1 || axes[0] != 0) {
      return false;
    }
    Node gather =
        g.producer(unsqueeze.input(0))
            .filter(n -> Fusions.is(n, "Gather") && n.attributes().getInt("axis", 0) == 0)
            .orElse(null);
    Tensor index = gather == null ? null : g.constant(gather.input(1)).orElse(null);
    if (index == null || index.rank() != 0 || index.getDouble(0) != position) {
      return false;
    }
    return g.producer(gather.input(0))
        .filter(
            s ->
                Fusions.is(s, "Shape")
                    && s.input(0).equals(data)
                    && s.attributes().getInt("start", 0) == 0
                    && !s.attributes().asMap().containsKey("end"))
        .isPresent();
  }

  /**
   * Drops shape-arithmetic nodes ({@link #PURE}) whose outputs nothing reads (no node, no graph
   * output, no subgraph), until none is left.
   */
  static Graph dropUnread(Graph g) {
    Set<String> read = new HashSet<>();
    for (Node n : g.nodes()) {
      for (Graph sub : Graph.subgraphs(n)) {
        read.addAll(sub.freeVariables());
      }
    }
    while (true) {
      Graph now = g;
      GraphEditor e = null;
      for (Node n : now.nodes()) {
        boolean unread =
            n.domain().isEmpty()
                && PURE.contains(n.opType())
                && n.outputs().stream()
                    .allMatch(
                        o -> now.consumers(o).isEmpty() && !now.isOutput(o) && !read.contains(o));
        if (unread) {
          e = e == null ? now.edit() : e;
          e.removeNode(n.name());
        }
      }
      if (e == null) {
        return g;
      }
      g = e.freezeSubgraph();
    }
  }
}
