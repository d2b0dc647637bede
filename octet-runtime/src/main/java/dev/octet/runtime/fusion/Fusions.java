package dev.octet.runtime.fusion;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import dev.octet.core.passes.BatchNormFolding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rewrites patterns into fused ops of the {@code com.octet} domain. A pattern fuses only when its
 * inner values have no other reader and are not graph outputs, so the graph computes the same
 * outputs; inner values are no longer visible to a ValueListener.
 */
public final class Fusions {
  /** The domain of Octet's fused ops. */
  public static final String DOMAIN = "com.octet";

  private Fusions() {}

  /** The fusions that do not depend on the opset. */
  public static Graph apply(Graph g) {
    return apply(g, 0);
  }

  /**
   * All fusions, for a model importing ONNX opset {@code onnxOpset} (0 when unknown): Softmax fuses
   * with its scale and mask only when the opset is known (its axis changed meaning at 13).
   */
  public static Graph apply(Graph g, long onnxOpset) {
    if (onnxOpset > 0) {
      g = fuseMaskedSoftmax(g, onnxOpset);
    }
    g = dropUnusedMasks(g);
    g = ReshapeShapes.apply(g, onnxOpset);
    g = fuseLayerNorm(g);
    g = fuseSkipLayerNorm(g);
    g = fuseGelu(g);
    g = BatchNormFolding.apply(g);
    g = fuseConvBias(g);
    g = fuseActivation(g, "Conv", "FusedConv");
    g = fuseConvConcat(g);
    g = ConvPoolFusion.apply(g);
    g = ConvChainFusion.apply(g);
    g = fuseMatMulBias(g);
    g = TransposeMatMul.apply(g);
    g = AttentionFusion.apply(g);
    return g;
  }

  /** The single reader of {@code value}, when it has exactly one and is not a graph output. */
  static Optional<Node> onlyConsumer(Graph g, String value) {
    List<Node> c = g.consumers(value);
    return c.size() == 1 && !g.isOutput(value) ? Optional.of(c.get(0)) : Optional.empty();
  }

  static boolean is(Node n, String op) {
    return n.domain().isEmpty() && n.opType().equals(op);
  }

  /** The scalar constant behind {@code value}, if it is one. */
  static Optional<Float> scalar(Graph g, String value) {
    return g.constant(value)
        .filter(t -> t.size() == 1 && t.dtype().isFloatingPoint())
        .map(t -> (float) t.getDouble(0));
  }

  /**
   * The Add that alone reads {@code value} and adds to it a constant 1-D bias of {@code n} values
   * of {@code type} (its other input, see {@link #other}), if there is one.
   */
  static Optional<Node> biasAdd(Graph g, String value, int n, DType type) {
    return onlyConsumer(g, value)
        .filter(a -> is(a, "Add"))
        .filter(
            a -> {
              String bias = other(a, value);
              return bias != null
                  && g.constant(bias)
                      .filter(t -> t.rank() == 1 && t.size() == n && t.dtype() == type)
                      .isPresent();
            });
  }

  /** The input of a binary node other than {@code known}, or null. */
  static String other(Node binary, String known) {
    if (binary.input(0).equals(known)) {
      return binary.input(1);
    }
    return binary.input(1).equals(known) ? binary.input(0) : null;
  }

  /**
   * A Dropout's mask output that nothing reads (and that is not a graph output) is dropped, so that
   * inference does not fill it every run (SqueezeNet 1.1: 86 KB per run).
   */
  private static Graph dropUnusedMasks(Graph g) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      if (is(n, "Dropout")
          && n.outputs().size() == 2
          && !n.output(1).isEmpty()
          && g.consumers(n.output(1)).isEmpty()
          && !g.isOutput(n.output(1))) {
        e = e == null ? g.edit() : e;
        e.replaceNode(n.name(), n.withOutputs(List.of(n.output(0))));
      }
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * Conv(X, constant W[, constant B]) followed by its only reader Add of a constant per-channel
   * bias (shape [M, 1, ..., 1] or [1, M, 1, ..., 1], as exporters write a separate bias: mnist-8)
   * becomes Conv(X, W, B + bias), so a following Relu fuses too.
   */
  private static Graph fuseConvBias(Graph g) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      Tensor w =
          is(n, "Conv") && n.outputs().size() == 1 && n.inputs().size() >= 2
              ? g.constant(n.input(1))
                  .filter(t -> t.dtype() == DType.FLOAT && t.rank() >= 3)
                  .orElse(null)
              : null;
      Tensor b0 =
          w != null && n.inputs().size() > 2 && !n.input(2).isEmpty()
              ? g.constant(n.input(2)).orElse(null)
              : null;
      if (w == null || (b0 == null && n.inputs().size() > 2 && !n.input(2).isEmpty())) {
        continue;
      }
      Optional<Node> add = onlyConsumer(g, n.output(0)).filter(a -> is(a, "Add"));
      Tensor c =
          add.map(a -> other(a, n.output(0)))
              .flatMap(g::constant)
              .filter(t -> channelVector(t, w.dim(0), w.rank()))
              .orElse(null);
      if (c == null) {
        continue;
      }
      float[] bias = c.toFloatArray();
      for (int i = 0; b0 != null && i < bias.length; i++) {
        bias[i] += (float) b0.getDouble(i);
      }
      e = e == null ? g.edit() : e;
      String name = e.freshName(n.name() + "_bias");
      e.putInitializer(name, Tensor.wrap(bias, bias.length));
      e.removeNode(add.get().name());
      e.replaceNode(
          n.name(),
          n.withInputs(List.of(n.input(0), n.input(1), name)).withOutputs(add.get().outputs()));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /** Whether {@code t} is a float tensor of m values along the channel axis of a rank-r output. */
  private static boolean channelVector(Tensor t, int m, int r) {
    int at = t.rank() - (r - 1);
    if (t.dtype() != DType.FLOAT || t.size() != m || at < 0) {
      return false;
    }
    for (int d = 0; d < t.rank(); d++) {
      if (t.dim(d) != (d == at ? m : 1)) {
        return false;
      }
    }
    return true;
  }

  /** Conv followed by its only reader Relu becomes FusedConv(activation=Relu). */
  private static Graph fuseActivation(Graph g, String op, String fused) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      if (!is(n, op) || n.outputs().size() != 1) {
        continue;
      }
      Optional<Node> relu = onlyConsumer(g, n.output(0)).filter(r -> is(r, "Relu"));
      if (relu.isEmpty()) {
        continue;
      }
      e = e == null ? g.edit() : e;
      Map<String, AttributeValue> attrs = new LinkedHashMap<>(n.attributes().asMap());
      attrs.put("activation", AttributeValue.of("Relu"));
      e.removeNode(relu.get().name());
      e.replaceNode(
          n.name(),
          new Node(
              n.name(), DOMAIN, fused, n.inputs(), relu.get().outputs(), Attributes.of(attrs), ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * Concat along the channels of 2-D convolutions (Conv or FusedConv with a constant float weight),
   * each output read by the Concat alone, becomes ConvConcat: every convolution writes its slice of
   * the joined tensor, and the Concat's copy disappears.
   */
  private static Graph fuseConvConcat(Graph g) {
    GraphEditor e = null;
    for (Node cat : g.nodes()) {
      long axis = is(cat, "Concat") ? cat.attributes().getInt("axis", 0) : 0;
      if (axis != 1 && axis != -3) {
        continue;
      }
      List<Node> convs = new ArrayList<>();
      for (String in : cat.inputs()) {
        Node conv =
            g.producer(in)
                .filter(c -> isConv2d(g, c) && onlyConsumer(g, in).isPresent())
                .filter(c -> cat.inputs().indexOf(in) == cat.inputs().lastIndexOf(in))
                .orElse(null);
        if (conv == null) {
          convs = null;
          break;
        }
        convs.add(conv);
      }
      if (convs == null || convs.size() < 2) {
        continue;
      }
      e = e == null ? g.edit() : e;
      List<String> inputs = new ArrayList<>();
      Map<String, AttributeValue> attrs = new LinkedHashMap<>();
      attrs.put("parts", AttributeValue.of((long) convs.size()));
      for (int i = 0; i < convs.size(); i++) {
        Node conv = convs.get(i);
        inputs.addAll(conv.inputs());
        for (int k = conv.inputs().size(); k < 3; k++) {
          inputs.add("");
        }
        String prefix = "p" + i + ".";
        conv.attributes().asMap().forEach((k, v) -> attrs.put(prefix + k, v));
        attrs.put(prefix + "node", AttributeValue.of(conv.name()));
        e.removeNode(conv.name());
      }
      e.replaceNode(
          cat.name(),
          new Node(
              cat.name(), DOMAIN, "ConvConcat", inputs, cat.outputs(), Attributes.of(attrs), ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /** A Conv or FusedConv over two spatial axes with a constant float weight and one output. */
  static boolean isConv2d(Graph g, Node n) {
    boolean conv = is(n, "Conv") || (n.domain().equals(DOMAIN) && n.opType().equals("FusedConv"));
    return conv
        && n.outputs().size() == 1
        && n.inputs().size() >= 2
        && g.constant(n.input(1))
            .filter(w -> w.rank() == 4 && w.dtype() == DType.FLOAT)
            .isPresent();
  }

  /**
   * Softmax(Div(x, scalar constant) + mask), attention scores scaled by 1 / sqrt(head size) and
   * masked, becomes MaskedSoftmax(x, mask) (the Div and the Add read by nothing else).
   */
  private static Graph fuseMaskedSoftmax(Graph g, long opset) {
    GraphEditor e = null;
    for (Node sm : g.nodes()) {
      if (!is(sm, "Softmax")) {
        continue;
      }
      Node add =
          g.producer(sm.input(0))
              .filter(a -> is(a, "Add") && onlyConsumer(g, a.output(0)).isPresent())
              .orElse(null);
      Node div = null;
      for (int i = 0; add != null && div == null && i < 2; i++) {
        div =
            g.producer(add.input(i))
                .filter(d -> is(d, "Div") && onlyConsumer(g, d.output(0)).isPresent())
                .filter(d -> scalar(g, d.input(1)).isPresent())
                .orElse(null);
      }
      if (div == null) {
        continue;
      }
      e = e == null ? g.edit() : e;
      Map<String, AttributeValue> attrs = new LinkedHashMap<>();
      attrs.put("divisor", AttributeValue.of(scalar(g, div.input(1)).get()));
      attrs.put("axis", AttributeValue.of(sm.attributes().getInt("axis", opset < 13 ? 1 : -1)));
      attrs.put("opset", AttributeValue.of(opset));
      e.removeNode(div.name());
      e.removeNode(add.name());
      e.replaceNode(
          sm.name(),
          new Node(
              sm.name(),
              DOMAIN,
              "MaskedSoftmax",
              List.of(div.input(0), other(add, div.output(0))),
              sm.outputs(),
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * MatMul(A, constant 2-D W) followed by its only reader Add(constant bias [N]) becomes
   * FusedMatMul(A, W, bias).
   */
  private static Graph fuseMatMulBias(Graph g) {
    GraphEditor e = null;
    for (Node n : g.nodes()) {
      if (!is(n, "MatMul")) {
        continue;
      }
      Optional<Tensor> w = g.constant(n.input(1)).filter(t -> t.rank() == 2);
      Optional<Node> add = w.flatMap(t -> biasAdd(g, n.output(0), t.dim(1), t.dtype()));
      if (add.isEmpty()) {
        continue;
      }
      String bias = other(add.get(), n.output(0));
      e = e == null ? g.edit() : e;
      e.removeNode(add.get().name());
      e.replaceNode(
          n.name(),
          new Node(
              n.name(),
              DOMAIN,
              "FusedMatMul",
              List.of(n.input(0), n.input(1), bias),
              add.get().outputs(),
              Attributes.empty(),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * The layer normalisation that exporters write out (over the last axis): mean = ReduceMean(x); d
   * = x - mean; var = ReduceMean(d^2); y = d / sqrt(var + eps) * gamma + beta.
   */
  private static Graph fuseLayerNorm(Graph g) {
    GraphEditor e = null;
    for (Node mean : g.nodes()) {
      if (!is(mean, "ReduceMean") || !lastAxis(mean)) {
        continue;
      }
      String x = mean.input(0);
      Optional<Node> sub =
          onlyConsumer(g, mean.output(0))
              .filter(
                  s -> is(s, "Sub") && s.input(0).equals(x) && s.input(1).equals(mean.output(0)));
      if (sub.isEmpty()) {
        continue;
      }
      String d = sub.get().output(0);
      List<Node> dUsers = g.consumers(d);
      Node pow =
          dUsers.stream()
              .filter(u -> is(u, "Pow") && u.input(0).equals(d))
              .findFirst()
              .orElse(null);
      Node div =
          dUsers.stream()
              .filter(u -> is(u, "Div") && u.input(0).equals(d))
              .findFirst()
              .orElse(null);
      if (dUsers.size() != 2
          || pow == null
          || div == null
          || g.isOutput(d)
          || !scalar(g, pow.input(1)).map(v -> v == 2f).orElse(false)) {
        continue;
      }
      Optional<Node> var =
          onlyConsumer(g, pow.output(0)).filter(v -> is(v, "ReduceMean") && lastAxis(v));
      Optional<Node> addEps =
          var.flatMap(v -> onlyConsumer(g, v.output(0))).filter(a -> is(a, "Add"));
      Optional<Float> eps = addEps.flatMap(a -> scalar(g, other(a, var.get().output(0))));
      Optional<Node> sqrt =
          addEps.flatMap(a -> onlyConsumer(g, a.output(0))).filter(s -> is(s, "Sqrt"));
      if (eps.isEmpty()
          || sqrt.isEmpty()
          || !div.input(1).equals(sqrt.get().output(0))
          || g.consumers(sqrt.get().output(0)).size() != 1) {
        continue;
      }
      Optional<Node> mul = onlyConsumer(g, div.output(0)).filter(m -> is(m, "Mul"));
      String gamma = mul.map(m -> other(m, div.output(0))).orElse(null);
      Optional<Node> addBeta =
          mul.flatMap(m -> onlyConsumer(g, m.output(0))).filter(a -> is(a, "Add"));
      String beta = addBeta.map(a -> other(a, mul.get().output(0))).orElse(null);
      if (gamma == null
          || beta == null
          || g.constant(gamma).map(Tensor::rank).orElse(0) != 1
          || g.constant(beta).map(Tensor::rank).orElse(0) != 1) {
        continue;
      }
      e = e == null ? g.edit() : e;
      for (Node dead :
          List.of(
              sub.get(), pow, var.get(), addEps.get(), sqrt.get(), div, mul.get(), addBeta.get())) {
        e.removeNode(dead.name());
      }
      Map<String, AttributeValue> attrs = new LinkedHashMap<>();
      attrs.put("axis", AttributeValue.of(-1L));
      attrs.put("epsilon", AttributeValue.of(eps.get()));
      e.replaceNode(
          mean.name(),
          new Node(
              mean.name(),
              DOMAIN,
              "LayerNormalization",
              List.of(x, gamma, beta),
              addBeta.get().outputs(),
              Attributes.of(attrs),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  /**
   * Add(x, residual) read only by a layer normalisation (a transformer's post-norm residual)
   * becomes com.octet.LayerNormalization(x, gamma, beta, residual): each row is summed in cache and
   * normalised there, the sum never written out (ONNX Runtime's SkipLayerNormalization).
   */
  private static Graph fuseSkipLayerNorm(Graph g) {
    GraphEditor e = null;
    for (Node ln : g.nodes()) {
      boolean norm =
          (is(ln, "LayerNormalization") || ln.domain().equals(DOMAIN))
              && ln.opType().equals("LayerNormalization")
              && ln.outputs().size() == 1
              && ln.inputs().size() <= 3;
      Optional<Node> add =
          norm
              ? g.producer(ln.input(0))
                  .filter(a -> is(a, "Add") && onlyConsumer(g, a.output(0)).isPresent())
                  .filter(a -> g.constant(a.input(0)).isEmpty() && g.constant(a.input(1)).isEmpty())
              : Optional.empty();
      if (add.isEmpty()) {
        continue;
      }
      e = e == null ? g.edit() : e;
      List<String> inputs = new ArrayList<>(ln.inputs());
      inputs.set(0, add.get().input(0));
      while (inputs.size() < 3) {
        inputs.add("");
      }
      inputs.add(add.get().input(1));
      e.removeNode(add.get().name());
      e.replaceNode(
          ln.name(),
          new Node(
              ln.name(), DOMAIN, "LayerNormalization", inputs, ln.outputs(), ln.attributes(), ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }

  private static boolean lastAxis(Node reduce) {
    long[] axes = reduce.attributes().getInts("axes");
    return axes != null
        && axes.length == 1
        && axes[0] == -1
        && reduce.attributes().getInt("keepdims", 1) == 1;
  }

  /** GELU as exporters write it: 0.5 * x * (1 + erf(x / sqrt(2))). */
  private static Graph fuseGelu(Graph g) {
    GraphEditor e = null;
    for (Node erf : g.nodes()) {
      if (!is(erf, "Erf")) {
        continue;
      }
      Node div = g.producer(erf.input(0)).filter(d -> is(d, "Div")).orElse(null);
      if (div == null
          || g.consumers(div.output(0)).size() != 1
          || !scalar(g, div.input(1)).map(v -> Math.abs(v - 1.4142135f) < 1e-4f).orElse(false)) {
        continue;
      }
      String x = div.input(0);
      Optional<Node> add =
          onlyConsumer(g, erf.output(0))
              .filter(
                  a ->
                      is(a, "Add")
                          && scalar(g, other(a, erf.output(0))).map(v -> v == 1f).orElse(false));
      Optional<Node> mul =
          add.flatMap(a -> onlyConsumer(g, a.output(0)))
              .filter(m -> is(m, "Mul") && x.equals(other(m, add.get().output(0))));
      Optional<Node> half =
          mul.flatMap(m -> onlyConsumer(g, m.output(0)))
              .filter(
                  h ->
                      is(h, "Mul")
                          && scalar(g, other(h, mul.get().output(0)))
                              .map(v -> v == 0.5f)
                              .orElse(false));
      if (half.isEmpty()) {
        continue;
      }
      e = e == null ? g.edit() : e;
      for (Node dead : List.of(div, add.get(), mul.get(), half.get())) {
        e.removeNode(dead.name());
      }
      e.replaceNode(
          erf.name(),
          new Node(
              erf.name(),
              DOMAIN,
              "Gelu",
              List.of(x),
              half.get().outputs(),
              Attributes.empty(),
              ""));
    }
    return e == null ? g : e.freezeSubgraph();
  }
}
