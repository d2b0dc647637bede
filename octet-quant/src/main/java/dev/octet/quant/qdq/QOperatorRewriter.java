package dev.octet.quant.qdq;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.runtime.ops.Numeric;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a QDQ graph into the QOperator form: each {@code DequantizeLinear -> Conv|MatMul [-> Relu]
 * -> QuantizeLinear} group whose inputs are all dequantized becomes one QLinearConv or
 * QLinearMatMul on the integer tensors, with the int32 bias passed as is. A Relu between the op and
 * its QuantizeLinear is dropped when the output's zero point is the type's minimum (saturation then
 * clips at zero exactly as Relu would). Everything else keeps its Q/DQ pairs, as ONNX Runtime's
 * QOperator format does for ops without a QLinear form. Nothing is computed; numbers are only
 * moved.
 */
public final class QOperatorRewriter {
  private QOperatorRewriter() {}

  public static Graph rewrite(Graph g) {
    GraphEditor e = g.edit();
    for (Node n : g.nodes()) {
      if (n.domain().isEmpty() && (n.opType().equals("Conv") || n.opType().equals("MatMul"))) {
        fuse(g, n).ifPresent(f -> apply(e, n, f));
      }
    }
    removeUnused(e);
    return e.freeze();
  }

  /** A fused group: the QLinear node and the nodes it replaces besides the op itself. */
  private record Fused(Node node, List<String> replaced) {}

  private static void apply(GraphEditor e, Node op, Fused f) {
    e.replaceNode(op.name(), f.node());
    f.replaced().forEach(e::removeNode);
  }

  private static Optional<Fused> fuse(Graph g, Node n) {
    Node a = dequantized(g, n.input(0));
    Node b = dequantized(g, n.input(1));
    if (a == null || b == null || !scalar(g, a.input(1))) {
      return Optional.empty();
    }
    List<String> replaced = new ArrayList<>();
    String out = n.output(0);
    Node reader = singleReader(g, out);
    if (reader != null && reader.opType().equals("Relu")) {
      replaced.add(reader.name());
      out = reader.output(0);
      reader = singleReader(g, out);
    }
    if (reader == null || !reader.opType().equals("QuantizeLinear") || g.isOutput(out)) {
      return Optional.empty();
    }
    Node q = reader;
    if (q.input(2).isEmpty() || !scalar(g, q.input(1)) || !scalar(g, q.input(2))) {
      return Optional.empty();
    }
    if (!replaced.isEmpty() && !zeroPointIsMinimum(g.constant(q.input(2)).orElseThrow())) {
      return Optional.empty(); // the Relu would not be implied by saturation
    }
    replaced.add(q.name());
    List<String> inputs =
        new ArrayList<>(
            List.of(
                a.input(0),
                a.input(1),
                a.input(2),
                b.input(0),
                b.input(1),
                b.input(2),
                q.input(1),
                q.input(2)));
    String op = n.opType().equals("Conv") ? "QLinearConv" : "QLinearMatMul";
    if (op.equals("QLinearConv") && !n.input(2).isEmpty()) {
      Node bias = dequantized(g, n.input(2));
      if (bias == null
          || g.constant(bias.input(0)).map(t -> t.dtype() != DType.INT32).orElse(true)) {
        return Optional.empty();
      }
      inputs.add(bias.input(0));
    }
    return Optional.of(
        new Fused(
            new Node(
                n.name(),
                "",
                op,
                inputs,
                List.of(q.output(0)),
                op.equals("QLinearConv") ? n.attributes() : null,
                n.docString()),
            replaced));
  }

  /** The DequantizeLinear producing {@code t} with all three inputs given, or null. */
  private static Node dequantized(Graph g, String t) {
    Node p = g.producer(t).orElse(null);
    return p != null
            && p.opType().equals("DequantizeLinear")
            && p.domain().isEmpty()
            && !p.input(2).isEmpty()
        ? p
        : null;
  }

  private static Node singleReader(Graph g, String t) {
    List<Node> readers = g.consumers(t);
    return readers.size() == 1 && !g.isOutput(t) ? readers.get(0) : null;
  }

  private static boolean scalar(Graph g, String t) {
    return g.constant(t).map(v -> v.size() == 1).orElse(false);
  }

  private static boolean zeroPointIsMinimum(Tensor zp) {
    return Numeric.toLongs(zp)[0] == zp.dtype().minValue();
  }

  /**
   * Drops the DequantizeLinears that nobody reads any more (those of fused inputs), then the
   * initializers that only they read.
   */
  private static void removeUnused(GraphEditor e) {
    Set<String> read = reads(e);
    Set<String> candidates = new HashSet<>();
    for (Node n : List.copyOf(e.nodes())) {
      if (n.opType().equals("DequantizeLinear") && n.outputs().stream().noneMatch(read::contains)) {
        e.removeNode(n.name());
        candidates.addAll(n.inputs());
      }
    }
    read = reads(e);
    for (String t : candidates) {
      if (!read.contains(t) && e.initializers().containsKey(t)) {
        e.removeInitializer(t);
      }
    }
  }

  private static Set<String> reads(GraphEditor e) {
    Set<String> read = new HashSet<>();
    e.nodes().forEach(n -> read.addAll(n.inputs()));
    e.outputs().stream().map(ValueInfo::name).forEach(read::add);
    return read;
  }
}
