package dev.octet.runtime.fusion;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.runtime.ops.Numeric;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns {@code DequantizeLinear -> op -> QuantizeLinear} groups into integer ops, as ONNX Runtime's
 * QDQ transformer does: Conv and MatMul [-> Relu] become QLinearConv and QLinearMatMul; Gemm
 * becomes QGemm; Add, Mul, GlobalAveragePool, AveragePool, Concat, Sigmoid and LeakyRelu become
 * their {@code com.microsoft} QLinear forms. For Octet's own runtime ({@link Target#RUNTIME}) also:
 * a MatMul whose output stays float becomes MatMulIntegerToFloat (with its bias Add), the dynamic
 * pattern DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul [-> Add bias] becomes
 * DynamicQuantizeMatMul, and data-movement ops (MaxPool, Reshape, Transpose, ...) between a Q/DQ
 * pair with equal parameters run on the integers directly. Weights are never dequantized. Groups
 * that cannot fuse are listed with the reason. Dead nodes and initializers are dropped afterwards.
 */
public final class QdqFusion {
  /** Where the graph goes: a QOperator file for any runtime, or Octet's own plan. */
  public enum Target {
    FILE,
    RUNTIME
  }

  /** The rewritten graph, the fused groups and the groups left in float, with reasons. */
  public record Result(Graph graph, List<String> fused, List<String> unfused) {}

  public static final String MS = "com.microsoft";

  private static final Set<String> MOVEMENT =
      Set.of(
          "MaxPool",
          "Reshape",
          "Transpose",
          "Flatten",
          "Squeeze",
          "Unsqueeze",
          "Identity",
          "Slice",
          "Resize",
          "SpaceToDepth",
          "DepthToSpace");

  private final Graph g;
  private final Target target;
  private final GraphEditor e;
  private final Set<String> removed = new HashSet<>();
  private final List<String> fused = new ArrayList<>();
  private final List<String> unfused = new ArrayList<>();

  private QdqFusion(Graph g, Target target) {
    this.g = g;
    this.target = target;
    this.e = g.edit();
  }

  public static Result apply(Graph g, Target target) {
    QdqFusion f = new QdqFusion(g, target);
    for (Node n : g.nodes()) {
      if (!f.removed.contains(n.name())) {
        f.visit(n);
      }
    }
    if (f.fused.isEmpty()) {
      return new Result(g, List.of(), List.copyOf(f.unfused));
    }
    removeDead(f.e);
    return new Result(f.e.freezeSubgraph(), List.copyOf(f.fused), List.copyOf(f.unfused));
  }

  private void visit(Node n) {
    if (n.domain().isEmpty() && n.opType().equals("MatMulInteger")) {
      if (target == Target.RUNTIME) {
        dynamicMatMul(n);
      }
      return;
    }
    if (!n.domain().isEmpty() || n.inputs().stream().noneMatch(i -> dq(i) != null)) {
      return;
    }
    String why =
        switch (n.opType()) {
          case "Conv", "MatMul" -> linear(n);
          case "Gemm" -> gemm(n);
          case "Add", "Mul" -> elementwise(n, List.of(0, 1), "QLinear" + n.opType(), null);
          case "GlobalAveragePool" ->
              elementwise(
                  n,
                  List.of(0),
                  "QLinearGlobalAveragePool",
                  Attributes.of(Map.of("channels_last", AttributeValue.of(0L))));
          case "AveragePool" -> elementwise(n, List.of(0), "QLinearAveragePool", n.attributes());
          case "Sigmoid" -> elementwise(n, List.of(0), "QLinearSigmoid", null);
          case "LeakyRelu" -> elementwise(n, List.of(0), "QLinearLeakyRelu", n.attributes());
          case "Concat" -> concat(n);
          default ->
              MOVEMENT.contains(n.opType())
                  ? (target == Target.RUNTIME ? movement(n) : null)
                  : "no integer kernel for " + n.opType() + "; computed in float";
        };
    if (why != null) {
      unfused.add(n.describe() + ": " + why);
    }
  }

  // ---- groups ----

  /** Conv/MatMul [-> Relu] -> Q; or, in the runtime, MatMul with a float output. */
  private String linear(Node n) {
    Node a = dq(n.input(0));
    Node w = dq(n.input(1));
    if (a == null && w != null && n.opType().equals("MatMul") && target == Target.RUNTIME) {
      return weightOnly(n, w);
    }
    if (a == null || w == null) {
      return "input " + (a == null ? 0 : 1) + " is not dequantized";
    }
    if (!scalarParams(a)) {
      return "the input's scale or zero point is not one constant";
    }
    if (!constantParams(w)) {
      return "the weight's scale or zero point is not constant";
    }
    boolean conv = n.opType().equals("Conv");
    if (!perChannelAlong(w, conv ? 0 : -1)) {
      return "the weight's scales are not per output channel";
    }
    List<String> absorbed = new ArrayList<>();
    Node q = quantizedOutput(n.output(0), absorbed);
    if (q == null) {
      if (!conv && target == Target.RUNTIME) {
        return matMulToFloat(n, a, w);
      }
      return "its output is not quantized (no QuantizeLinear reads it)";
    }
    List<String> inputs =
        new ArrayList<>(
            List.of(
                a.input(0),
                a.input(1),
                a.input(2),
                w.input(0),
                w.input(1),
                w.input(2),
                q.input(1),
                q.input(2)));
    if (conv && !n.input(2).isEmpty()) {
      String bias = int32Bias(n, n.input(2), a, w);
      if (bias == null) {
        return "its bias is not a dequantized int32 constant";
      }
      inputs.add(bias);
    }
    String op = conv ? "QLinearConv" : "QLinearMatMul";
    replace(n, "", op, inputs, q.output(0), conv ? n.attributes() : null, absorbed, q);
    return null;
  }

  /** MatMul(float x, DQ(constant W)) [+ Add bias] -> Octet's W8A32 MatMulW8. */
  private String weightOnly(Node n, Node w) {
    if (g.constant(w.input(0)).map(t -> t.rank() != 2).orElse(true)
        || !constantParams(w)
        || !perChannelAlong(w, -1)) {
      return "input 0 is not dequantized and the weight is not a 2-D constant per column";
    }
    List<String> inputs = new ArrayList<>(List.of(n.input(0), w.input(0), w.input(1), w.input(2)));
    List<String> absorbed = new ArrayList<>();
    String out = absorbBias(n.output(0), w.input(0), inputs, absorbed);
    replace(n, Fusions.DOMAIN, "MatMulW8", inputs, out, null, absorbed, null);
    return null;
  }

  /** MatMul(DQ(x), DQ(W)) with a float output [+ Add bias] -> MatMulIntegerToFloat. */
  private String matMulToFloat(Node n, Node a, Node w) {
    if (g.constant(w.input(0)).map(t -> t.rank() != 2).orElse(true)) {
      return "its output is not quantized and the weight is not a 2-D constant";
    }
    List<String> inputs =
        new ArrayList<>(
            List.of(a.input(0), w.input(0), a.input(1), w.input(1), a.input(2), w.input(2)));
    List<String> absorbed = new ArrayList<>();
    String out = absorbBias(n.output(0), w.input(0), inputs, absorbed);
    replace(n, MS, "MatMulIntegerToFloat", inputs, out, null, absorbed, null);
    return null;
  }

  /** Gemm(DQ(A), DQ(B) [, DQ(int32 C)]) [-> Q] -> QGemm. */
  private String gemm(Node n) {
    Node a = dq(n.input(0));
    Node b = dq(n.input(1));
    if (a == null || b == null) {
      return "input " + (a == null ? 0 : 1) + " is not dequantized";
    }
    if (!scalarParams(a) || !constantParams(b)) {
      return "a scale or zero point is not constant";
    }
    if (!perChannelAlong(b, n.attributes().getInt("transB", 0) != 0 ? 0 : -1)) {
      return "the weight's scales are not per output column";
    }
    if (n.attributes().getFloat("beta", 1f) != 1f) {
      return "beta is not 1";
    }
    List<String> absorbed = new ArrayList<>();
    Node q = quantizedOutput(n.output(0), absorbed);
    if (!absorbed.isEmpty()) {
      return "a Relu follows (QGemm has no activation)";
    }
    List<String> inputs =
        new ArrayList<>(
            List.of(a.input(0), a.input(1), a.input(2), b.input(0), b.input(1), b.input(2)));
    if (!n.input(2).isEmpty()) {
      String bias = int32Bias(n, n.input(2), a, b);
      if (bias == null) {
        return "its bias is not a dequantized int32 constant";
      }
      inputs.add(bias);
    } else {
      inputs.add("");
    }
    if (q != null) {
      inputs.add(q.input(1));
      inputs.add(q.input(2));
    }
    Map<String, AttributeValue> attrs = new LinkedHashMap<>(n.attributes().asMap());
    attrs.remove("beta");
    replace(
        n,
        MS,
        "QGemm",
        inputs,
        q != null ? q.output(0) : n.output(0),
        Attributes.of(attrs),
        absorbed,
        q);
    return null;
  }

  /** An op whose listed inputs are all dequantized and whose output is quantized. */
  private String elementwise(Node n, List<Integer> operands, String op, Attributes attrs) {
    List<String> inputs = new ArrayList<>();
    for (int i : operands) {
      Node d = dq(n.input(i));
      if (d == null) {
        return "input " + i + " is not dequantized";
      }
      if (!scalarParams(d)) {
        return "input " + i + "'s scale or zero point is not one constant";
      }
      inputs.addAll(List.of(d.input(0), d.input(1), d.input(2)));
    }
    for (int i = 0; i < n.inputs().size(); i++) {
      if (!operands.contains(i) && !n.input(i).isEmpty()) {
        return "input " + i + " is not an operand of " + op;
      }
    }
    Node q = quantizedOutput(n.output(0), null);
    if (q == null) {
      return "its output is not quantized";
    }
    inputs.add(q.input(1));
    inputs.add(q.input(2));
    replace(n, MS, op, inputs, q.output(0), attrs, List.of(), q);
    return null;
  }

  private String concat(Node n) {
    List<String> inputs = new ArrayList<>();
    Node q = quantizedOutput(n.output(0), null);
    if (q == null) {
      return "its output is not quantized";
    }
    inputs.add(q.input(1));
    inputs.add(q.input(2));
    for (int i = 0; i < n.inputs().size(); i++) {
      Node d = dq(n.input(i));
      if (d == null || !scalarParams(d)) {
        return "input " + i + " is not dequantized with one constant scale";
      }
      inputs.addAll(List.of(d.input(0), d.input(1), d.input(2)));
    }
    replace(n, MS, "QLinearConcat", inputs, q.output(0), n.attributes(), List.of(), q);
    return null;
  }

  /** DQ -> data movement -> Q with equal parameters: the op runs on the integers. */
  private String movement(Node n) {
    Node d = dq(n.input(0));
    if (d == null) {
      return "input 0 is not dequantized";
    }
    if (n.opType().equals("Resize")
        && !n.attributes().getString("mode", "nearest").equals("nearest")) {
      return "only nearest Resize moves values unchanged";
    }
    Node q = quantizedOutput(n.output(0), null);
    if (q == null || !sameParams(d, q)) {
      return "the output is not requantized with the input's scale and zero point";
    }
    List<String> inputs = new ArrayList<>(n.inputs());
    inputs.set(0, d.input(0));
    replace(n, "", n.opType(), inputs, q.output(0), n.attributes(), List.of(), q);
    return null;
  }

  /**
   * DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W, x_zp, W_zp) -> Cast(float) -> Mul(x_scale *
   * W_scale) [-> Add bias] becomes DynamicQuantizeMatMul(x, W, W_scale, W_zp [, bias]).
   */
  private void dynamicMatMul(Node mm) {
    Node dql = g.producer(mm.input(0)).orElse(null);
    if (dql == null
        || !Fusions.is(dql, "DynamicQuantizeLinear")
        || !mm.input(2).equals(dql.output(2))
        || g.constant(mm.input(1)).map(t -> t.rank() != 2).orElse(true)
        || (!mm.input(3).isEmpty() && g.constant(mm.input(3)).isEmpty())) {
      unfused.add(mm.describe() + ": not the dynamic pattern over a 2-D constant weight");
      return;
    }
    Optional<Node> cast =
        Fusions.onlyConsumer(g, mm.output(0))
            .filter(c -> Fusions.is(c, "Cast"))
            .filter(c -> c.attributes().getInt("to", 0) == DType.FLOAT.code());
    Optional<Node> mul =
        cast.flatMap(c -> Fusions.onlyConsumer(g, c.output(0))).filter(m -> Fusions.is(m, "Mul"));
    if (mul.isEmpty()) {
      unfused.add(mm.describe() + ": its int32 result is not cast to float and scaled");
      return;
    }
    String scale = Fusions.other(mul.get(), cast.get().output(0));
    Node scaleMul = scale == null ? null : g.producer(scale).orElse(null);
    String wScale =
        scaleMul != null && Fusions.is(scaleMul, "Mul")
            ? Fusions.other(scaleMul, dql.output(1))
            : null;
    if (wScale == null || g.constant(wScale).isEmpty()) {
      unfused.add(mm.describe() + ": its scale is not x_scale times a constant weight scale");
      return;
    }
    List<String> inputs = new ArrayList<>(List.of(dql.input(0), mm.input(1), wScale, mm.input(3)));
    List<String> absorbed = new ArrayList<>(List.of(cast.get().name(), mul.get().name()));
    String out = absorbBias(mul.get().output(0), mm.input(1), inputs, absorbed);
    replace(mm, MS, "DynamicQuantizeMatMul", inputs, out, null, absorbed, null);
  }

  // ---- helpers ----

  /**
   * When a float bias Add over the columns of the 2-D constant {@code weight} alone reads {@code
   * out}, appends the bias to {@code inputs} and the Add to {@code absorbed}; returns the value the
   * fused node produces (the Add's output, or {@code out}).
   */
  private String absorbBias(String out, String weight, List<String> inputs, List<String> absorbed) {
    int cols = g.constant(weight).orElseThrow().dim(1);
    Optional<Node> add = Fusions.biasAdd(g, out, cols, DType.FLOAT);
    if (add.isEmpty()) {
      return out;
    }
    inputs.add(Fusions.other(add.get(), out));
    absorbed.add(add.get().name());
    return add.get().output(0);
  }

  private void replace(
      Node n,
      String domain,
      String op,
      List<String> inputs,
      String output,
      Attributes attrs,
      List<String> absorbed,
      Node q) {
    e.replaceNode(
        n.name(), new Node(n.name(), domain, op, inputs, List.of(output), attrs, n.docString()));
    absorbed.forEach(e::removeNode);
    removed.addAll(absorbed);
    if (q != null) {
      e.removeNode(q.name());
      removed.add(q.name());
    }
    fused.add(n.describe() + " -> " + (domain.isEmpty() ? op : domain + "." + op));
  }

  /** The DequantizeLinear (default domain, zero point given) producing {@code t}, or null. */
  private Node dq(String t) {
    if (t.isEmpty()) {
      return null;
    }
    Node p = g.producer(t).orElse(null);
    return p != null && Fusions.is(p, "DequantizeLinear") && !p.input(2).isEmpty() ? p : null;
  }

  /**
   * The QuantizeLinear that alone reads {@code out}, through one Relu when {@code absorbed} is
   * given and the Q's zero point is its type's minimum (saturation then clips at 0 as Relu does).
   */
  private Node quantizedOutput(String out, List<String> absorbed) {
    Node reader = Fusions.onlyConsumer(g, out).orElse(null);
    Node relu = null;
    if (reader != null && absorbed != null && Fusions.is(reader, "Relu")) {
      relu = reader;
      reader = Fusions.onlyConsumer(g, relu.output(0)).orElse(null);
    }
    if (reader == null
        || !Fusions.is(reader, "QuantizeLinear")
        || reader.input(2).isEmpty()
        || !scalarParams(reader)) {
      return null;
    }
    if (relu != null) {
      Tensor zp = g.constant(reader.input(2)).orElseThrow();
      if (Numeric.toLongs(zp)[0] != zp.dtype().minValue()) {
        return null; // the Relu would not be implied by saturation
      }
      absorbed.add(relu.name());
    }
    return reader;
  }

  private boolean scalarParams(Node qOrDq) {
    return g.constant(qOrDq.input(1)).map(t -> t.size() == 1).orElse(false)
        && g.constant(qOrDq.input(2)).map(t -> t.size() == 1).orElse(false)
        && !qOrDq.attributes().has("block_size");
  }

  private boolean constantParams(Node dq) {
    return g.constant(dq.input(1)).isPresent()
        && g.constant(dq.input(2)).isPresent()
        && !dq.attributes().has("block_size");
  }

  /**
   * True when a weight's DequantizeLinear is per tensor, or per axis along {@code axis} (negative:
   * from the end) of its input, which is where the fused kernels expect output channels.
   */
  private boolean perChannelAlong(Node dq, int axis) {
    if (g.constant(dq.input(1)).map(t -> t.size() == 1).orElse(false)) {
      return true;
    }
    Optional<Tensor> w = g.constant(dq.input(0));
    if (w.isEmpty()) {
      return false;
    }
    int rank = w.get().rank();
    long a = dq.attributes().getInt("axis", 1);
    return (a < 0 ? a + rank : a) == (axis < 0 ? axis + rank : axis);
  }

  private boolean sameParams(Node dq, Node q) {
    Optional<Tensor> s1 = g.constant(dq.input(1));
    Optional<Tensor> s2 = g.constant(q.input(1));
    Optional<Tensor> z1 = g.constant(dq.input(2));
    Optional<Tensor> z2 = g.constant(q.input(2));
    return scalarParams(dq)
        && scalarParams(q)
        && s1.get().getDouble(0) == s2.get().getDouble(0)
        && z1.get().dtype() == z2.get().dtype()
        && z1.get().getDouble(0) == z2.get().getDouble(0);
  }

  /**
   * The int32 bias behind a DequantizeLinear, checked to use scale x_scale * w_scale (as
   * QLinearConv and QGemm assume); null when the bias is not such a constant.
   */
  private String int32Bias(Node n, String value, Node x, Node w) {
    Node d = dq(value) != null ? dq(value) : g.producer(value).orElse(null);
    if (d == null || !Fusions.is(d, "DequantizeLinear")) {
      return null;
    }
    Optional<Tensor> b = g.constant(d.input(0)).filter(t -> t.dtype() == DType.INT32);
    Optional<Tensor> bs = g.constant(d.input(1));
    if (b.isEmpty() || bs.isEmpty()) {
      return null;
    }
    float sx = g.constant(x.input(1)).orElseThrow().toFloatArray()[0];
    float[] sw = g.constant(w.input(1)).orElseThrow().toFloatArray();
    float[] sb = bs.get().toFloatArray();
    for (int i = 0; i < Math.max(sw.length, sb.length); i++) {
      float expected = sx * sw[sw.length == 1 ? 0 : i % sw.length];
      float actual = sb[sb.length == 1 ? 0 : i % sb.length];
      if (Math.abs(actual - expected) > 1e-3 * Math.abs(expected)) {
        throw new OctetException(
            n.describe()
                + ": its int32 bias '"
                + d.input(0)
                + "' is dequantized with scale "
                + actual
                + " at channel "
                + i
                + " but input scale x weight scale is "
                + expected
                + "; an int32 bias must use that scale (quantize the bias again)");
      }
    }
    if (d.input(2).isEmpty()
        || g.constant(d.input(2))
            .map(z -> Numeric.toLongs(z))
            .map(QdqFusion::allZero)
            .orElse(false)) {
      return d.input(0);
    }
    return null;
  }

  private static boolean allZero(long[] v) {
    for (long x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /** Drops nodes whose outputs nobody reads (repeatedly), then unread initializers. */
  private static void removeDead(GraphEditor e) {
    boolean changed = true;
    while (changed) {
      changed = false;
      Set<String> read = reads(e);
      for (Node n : List.copyOf(e.nodes())) {
        if (n.outputs().stream().noneMatch(o -> !o.isEmpty() && read.contains(o))
            && Graph.subgraphs(n).isEmpty()) {
          e.removeNode(n.name());
          changed = true;
        }
      }
    }
    Set<String> read = reads(e);
    for (String t : List.copyOf(e.initializers().keySet())) {
      if (!read.contains(t)) {
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
