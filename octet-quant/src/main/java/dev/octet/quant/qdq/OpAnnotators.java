package dev.octet.quant.qdq;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One annotator per op family, each saying which of its node's tensors to quantize and how. A
 * tensor marked by both its producer and a consumer keeps the more specific mark (SameAs over
 * Activation). Afterwards the output of a Conv, Gemm, MatMul or Add whose only reader is a Relu or
 * Clip is left in float, so that the activation fuses with its producer and the pair is quantized
 * once, after the activation; and the output of a MatMul that no quantized node reads stays in
 * float (no Q/DQ on a path that stays FP32): ONNX Runtime and Octet then run it as
 * MatMulIntegerToFloat with the bias Add fused, instead of requantizing and dequantizing before a
 * float consumer.
 */
public final class OpAnnotators {
  /** Annotates one node. */
  @FunctionalInterface
  public interface OpAnnotator {
    void annotate(Node n, Graph g, Map<String, Mark> marks);
  }

  /** Ops that compute on one input's values: input and output quantized on their own ranges. */
  private static final List<String> ACTIVATIONS =
      List.of("Relu", "Clip", "GlobalAveragePool", "AveragePool", "Sigmoid", "LeakyRelu");

  /** Ops that only move values: the output takes the input's parameters. */
  private static final List<String> PASS_THROUGH =
      List.of("MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Resize");

  /**
   * Both kinds above: worth running in 8 bits when their input already is, not worth a
   * QuantizeLinear of their own.
   */
  private static final Set<String> FOLLOWERS =
      java.util.stream.Stream.concat(ACTIVATIONS.stream(), PASS_THROUGH.stream())
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private static final Map<String, OpAnnotator> ANNOTATORS = new LinkedHashMap<>();

  static {
    ANNOTATORS.put("Conv", (n, g, m) -> weighted(n, g, m, 0));
    ANNOTATORS.put("ConvTranspose", (n, g, m) -> weighted(n, g, m, 1));
    ANNOTATORS.put(
        "Gemm", (n, g, m) -> weighted(n, g, m, n.attributes().getInt("transB", 0) != 0 ? 0 : 1));
    ANNOTATORS.put("MatMul", OpAnnotators::matMul);
    ANNOTATORS.put("Gather", OpAnnotators::gather);
    ANNOTATORS.put("Concat", OpAnnotators::concat);
    for (String op : new String[] {"Add", "Mul"}) {
      ANNOTATORS.put(op, OpAnnotators::elementwise);
    }
    ACTIVATIONS.forEach(op -> ANNOTATORS.put(op, OpAnnotators::activations));
    PASS_THROUGH.forEach(op -> ANNOTATORS.put(op, OpAnnotators::passThrough));
  }

  private OpAnnotators() {}

  /** The op types that can be quantized. */
  public static Set<String> supported() {
    return ANNOTATORS.keySet();
  }

  /** Marks the tensors of every node of {@code g} that {@code quantize} accepts. */
  public static Map<String, Mark> annotate(Graph g, Predicate<Node> quantize) {
    Map<String, Mark> marks = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (annotated(n, quantize)) {
        ANNOTATORS.get(n.opType()).annotate(n, g, marks);
      }
    }
    for (Node n : g.nodes()) {
      if (!marks.containsKey(n.output(0))
          || !Set.of("Conv", "Gemm", "MatMul", "Add").contains(n.opType())) {
        continue;
      }
      var readers = g.consumers(n.output(0));
      if (readers.size() == 1
          && !g.isOutput(n.output(0))
          && Set.of("Relu", "Clip").contains(readers.get(0).opType())
          && marks.containsKey(readers.get(0).output(0))) {
        marks.remove(n.output(0));
      }
      if (n.opType().equals("MatMul")
          && readers.stream().noneMatch(r -> annotated(r, quantize))
          && marks.get(n.output(0)) instanceof Mark.Activation) {
        marks.remove(n.output(0));
      }
    }
    keepFloatChainsFloat(g, quantize, marks);
    return marks;
  }

  /**
   * A follower whose input comes from a float node (an excluded Conv, a graph input) stays in float
   * with it, so the chain is quantized once, before the next op that computes in integers: an
   * excluded first Conv, its Relu and MaxPool run in float and one QuantizeLinear follows the pool
   * (as ONNX Runtime's quantizer does for such ops), instead of quantizing the large Conv output
   * and pooling it in 8 bits in the NCHW layout, which ONNX Runtime runs 20x slower than in float.
   */
  private static void keepFloatChainsFloat(
      Graph g, Predicate<Node> quantize, Map<String, Mark> marks) {
    Set<String> floating = new java.util.HashSet<>();
    g.inputs().forEach(v -> floating.add(v.name()));
    Set<Node> demoted = new java.util.HashSet<>();
    for (Node n : g.nodes()) {
      boolean follows = FOLLOWERS.contains(n.opType()) && floating.contains(n.input(0));
      if (!annotated(n, quantize) || follows) {
        floating.addAll(n.outputs());
        if (annotated(n, quantize)) {
          demoted.add(n);
        }
      }
    }
    for (String t : floating) {
      if (!marks.containsKey(t) || isConstant(g, t)) {
        continue;
      }
      boolean needed =
          g.consumers(t).stream().anyMatch(c -> annotated(c, quantize) && !demoted.contains(c));
      if (!needed) {
        marks.remove(t);
      } else if (marks.get(t) instanceof Mark.SameAs
          && g.producer(t).map(demoted::contains).orElse(false)) {
        marks.put(t, new Mark.Activation()); // its source stays float: calibrated on its own
      }
    }
  }

  private static boolean annotated(Node n, Predicate<Node> quantize) {
    return ANNOTATORS.containsKey(n.opType()) && n.domain().isEmpty() && quantize.test(n);
  }

  private static void put(Map<String, Mark> marks, String tensor, Mark mark) {
    if (tensor.isEmpty()) {
      return;
    }
    Mark old = marks.get(tensor);
    if (old == null || (old instanceof Mark.Activation && mark instanceof Mark.SameAs)) {
      marks.put(tensor, mark);
    }
  }

  private static boolean isConstant(Graph g, String tensor) {
    return !tensor.isEmpty() && g.constant(tensor).isPresent();
  }

  /** Conv, ConvTranspose, Gemm: input, weight per channel, int32 bias, output. */
  private static void weighted(Node n, Graph g, Map<String, Mark> m, int weightAxis) {
    if (!isConstant(g, n.input(1))) {
      activations(n, g, m);
      return;
    }
    put(m, n.input(0), new Mark.Activation());
    put(m, n.input(1), new Mark.Constant(weightAxis, false));
    if (isConstant(g, n.input(2)) && g.constant(n.input(2)).map(Tensor::rank).orElse(0) == 1) {
      put(m, n.input(2), new Mark.Bias(n.input(0), n.input(1)));
    }
    put(m, n.output(0), new Mark.Activation());
  }

  /** MatMul: a constant 2-D right operand is a weight, per channel along its output columns. */
  private static void matMul(Node n, Graph g, Map<String, Mark> m) {
    for (int i = 0; i < 2; i++) {
      String t = n.input(i);
      boolean weight = i == 1 && isConstant(g, t) && g.constant(t).get().rank() == 2;
      put(
          m,
          t,
          weight
              ? new Mark.Constant(1, false)
              : isConstant(g, t) ? new Mark.Constant(-1, true) : new Mark.Activation());
    }
    put(m, n.output(0), new Mark.Activation());
  }

  /** Gather from a constant float table (an embedding): the table is stored quantized. */
  private static void gather(Node n, Graph g, Map<String, Mark> m) {
    String table = n.input(0);
    if (isConstant(g, table)
        && g.constant(table).get().dtype() == dev.octet.core.DType.FLOAT
        && g.constant(table).get().rank() == 2) {
      put(m, table, new Mark.Table());
    }
  }

  /** Add, Mul: every operand with the activations' type, constants from their values. */
  private static void elementwise(Node n, Graph g, Map<String, Mark> m) {
    for (String t : n.inputs()) {
      put(m, t, isConstant(g, t) ? new Mark.Constant(-1, true) : new Mark.Activation());
    }
    put(m, n.output(0), new Mark.Activation());
  }

  private static void activations(Node n, Graph g, Map<String, Mark> m) {
    for (String t : n.inputs()) {
      if (!isConstant(g, t)) {
        put(m, t, new Mark.Activation());
      }
    }
    put(m, n.output(0), new Mark.Activation());
  }

  /**
   * Concat: the inputs take the output's parameters (calibrated over all of them), so that the
   * quantized concat is a copy: ONNX Runtime's QLinearConcat copies inputs whose scale and zero
   * point equal the output's and requantizes the others through a lookup table per element, and
   * Octet's runtime does the same. TensorRT and PyTorch share one range across a concat alike. An
   * input that already follows another tensor (a MaxPool's output, say) keeps that.
   */
  private static void concat(Node n, Graph g, Map<String, Mark> m) {
    put(m, n.output(0), new Mark.Activation());
    for (String t : n.inputs()) {
      if (!isConstant(g, t)) {
        put(m, t, new Mark.SameAs(n.output(0)));
      }
    }
  }

  /**
   * Ops that only move values (Resize interpolates between them, so stays inside their range): the
   * output takes the input's parameters.
   */
  private static void passThrough(Node n, Graph g, Map<String, Mark> m) {
    if (isConstant(g, n.input(0))) {
      return;
    }
    put(m, n.input(0), new Mark.Activation());
    put(m, n.output(0), new Mark.SameAs(n.input(0)));
  }
}
