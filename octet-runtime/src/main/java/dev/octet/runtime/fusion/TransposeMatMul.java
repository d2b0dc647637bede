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

/**
 * The Transposes around a transformer's attention products (Q, K and V split into heads, K^T, the
 * heads joined back) fold into the MatMul as strided reads and writes ({@code
 * com.octet.TransposedMatMul}, as ONNX Runtime's TransposeMatMul): the GEMM packs its operands from
 * the untransposed tensors and writes its rows where the output Transpose would have put them, so
 * four copies of every attention tensor are not made. A Transpose folds when the MatMul alone reads
 * it (or, for the output, it alone reads the MatMul) and its perm keeps rows readable with a
 * stride: A's last axis stays last; B's last axis stays last or becomes the second-to-last (B read
 * transposed); the product's last axis stays last. MatMuls with a constant B (weights, packed once)
 * are left to the other fusions.
 */
final class TransposeMatMul {
  private TransposeMatMul() {}

  static Graph apply(Graph g) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      if (!Fusions.is(n, "MatMul") || g.constant(n.input(1)).isPresent()) {
        continue;
      }
      // a value read as both operands stays (its Transpose has another reader then)
      boolean same = n.input(1).equals(n.input(0));
      Node ta = same ? null : folded(g, n.input(0), 0);
      Node tb = same ? null : folded(g, n.input(1), 1);
      Node ty =
          Fusions.onlyConsumer(g, n.output(0))
              .filter(t -> Fusions.is(t, "Transpose"))
              .filter(t -> keepsLast(t.attributes().getInts("perm")))
              .orElse(null);
      if (ta == null && tb == null && ty == null) {
        continue;
      }
      e = e == null ? g.edit() : e;
      Map<String, AttributeValue> attrs = new LinkedHashMap<>();
      List<String> inputs = new ArrayList<>(n.inputs());
      if (ta != null) {
        attrs.put("perm_a", AttributeValue.ints(ta.attributes().getInts("perm")));
        inputs.set(0, ta.input(0));
        e.removeNode(ta.name());
      }
      if (tb != null) {
        attrs.put("perm_b", AttributeValue.ints(tb.attributes().getInts("perm")));
        inputs.set(1, tb.input(0));
        e.removeNode(tb.name());
      }
      List<String> outputs = n.outputs();
      if (ty != null) {
        attrs.put("perm_y", AttributeValue.ints(ty.attributes().getInts("perm")));
        outputs = ty.outputs();
        e.removeNode(ty.name());
      }
      e.replaceNode(
          n.name(),
          new Node(
              n.name(),
              Fusions.DOMAIN,
              "TransposedMatMul",
              inputs,
              outputs,
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /** The Transpose producing operand {@code index} of a MatMul, when it can fold into it. */
  private static Node folded(Graph g, String value, int index) {
    return g.producer(value)
        .filter(t -> Fusions.is(t, "Transpose"))
        // a Transpose of a constant is folded at planning time instead
        .filter(t -> g.constant(t.input(0)).isEmpty())
        .filter(t -> Fusions.onlyConsumer(g, value).isPresent())
        .filter(
            t -> {
              long[] p = t.attributes().getInts("perm");
              return index == 0
                  ? keepsLast(p)
                  : keepsLast(p) || (p != null && p.length >= 2 && p[p.length - 2] == p.length - 1);
            })
        .orElse(null);
  }

  /** An explicit perm of rank 2 or more that leaves the last axis in place. */
  private static boolean keepsLast(long[] perm) {
    return perm != null && perm.length >= 2 && perm[perm.length - 1] == perm.length - 1;
  }
}
