package dev.octet.quant.qdq;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import dev.octet.quant.QParams;
import dev.octet.quant.QuantMath;
import dev.octet.runtime.ops.Numeric;
import java.util.List;
import java.util.Map;

/**
 * Inserts QuantizeLinear/DequantizeLinear for every marked tensor, once, for all ops: a constant
 * becomes an integer initializer behind a DequantizeLinear (so the file shrinks about 4x), a bias
 * an int32 initializer with scale s_input * s_weight, and a computed tensor gets a QuantizeLinear
 * -> DequantizeLinear pair that all its readers use. Never executes anything.
 */
public final class QdqRewriter {
  private QdqRewriter() {}

  /** Suffixes of the names the rewriter creates. */
  public static final String QUANTIZED = "_quantized";

  public static final String DEQUANTIZED = "_dequantized";

  /**
   * @param params the parameters of every marked tensor except biases (SameAs already resolved)
   */
  public static Graph rewrite(Graph g, Map<String, Mark> marks, Map<String, QParams> params) {
    GraphEditor e = g.edit();
    for (Map.Entry<String, Mark> entry : marks.entrySet()) {
      String t = entry.getKey();
      switch (entry.getValue()) {
        case Mark.Bias b ->
            constant(g, e, t, biasParams(g, t, params.get(b.input()), params.get(b.weight())));
        case Mark.Constant c -> constant(g, e, t, require(params, t));
        case Mark.Activation a -> activation(e, t, require(params, t));
        case Mark.Table tb -> table(g, e, t, require(params, t));
        case Mark.SameAs s -> activation(e, t, require(params, t));
      }
    }
    return e.freeze();
  }

  private static QParams require(Map<String, QParams> params, String t) {
    QParams p = params.get(t);
    if (p == null) {
      throw new OctetException(
          "no quantization parameters for tensor '" + t + "' (was it calibrated?)");
    }
    return p;
  }

  /** The int32 parameters of a bias: scale s_input * s_weight[c], zero point 0. */
  static QParams biasParams(Graph g, String bias, QParams input, QParams weight) {
    if (input == null || weight == null) {
      throw new OctetException("bias '" + bias + "' needs the parameters of its input and weight");
    }
    int channels = g.constant(bias).orElseThrow().size();
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = input.scale(0) * weight.scale(weight.perChannel() ? c : 0);
    }
    return new QParams(
        DType.INT32,
        scales,
        new int[channels],
        channels == 1 && !weight.perChannel() ? -1 : 0,
        Integer.MIN_VALUE + 1,
        Integer.MAX_VALUE);
  }

  private static void constant(Graph g, GraphEditor e, String t, QParams p) {
    Tensor value =
        g.constant(t)
            .orElseThrow(
                () -> new OctetException("tensor '" + t + "' is marked constant but is not one"));
    Tensor q = p.dtype() == DType.INT32 ? quantizeInt32(value, p) : QuantMath.quantize(value, p);
    String qName = e.freshName(t + QUANTIZED);
    e.putInitializer(qName, q);
    String dq = e.freshName(t + DEQUANTIZED);
    e.replaceUses(t, dq);
    e.addNode(dequantize(e, t, qName, dq, p));
    if (g.initializers().containsKey(t)) {
      e.removeInitializer(t);
    } else {
      g.producer(t).ifPresent(n -> e.removeNode(n.name()));
    }
  }

  /**
   * Gather(table, ids) becomes Gather(table_quantized, ids) followed by DequantizeLinear: only the
   * rows read are dequantized, and the table is stored in 8 bits.
   */
  private static void table(Graph g, GraphEditor e, String t, QParams p) {
    String qName = e.freshName(t + QUANTIZED);
    e.putInitializer(qName, QuantMath.quantize(g.constant(t).orElseThrow(), p));
    for (Node n : g.consumers(t)) {
      if (!n.opType().equals("Gather") || !n.input(0).equals(t)) {
        throw new OctetException(
            "table '"
                + t
                + "' is also read by "
                + n.describe()
                + "; only Gather may read a quantized table");
      }
      String rows = e.freshName(n.output(0) + QUANTIZED);
      Node gather = n.withInputs(List.of(qName, n.input(1))).withOutputs(List.of(rows));
      Node dq =
          new Node(
              e.freshName(n.output(0) + "_DequantizeLinear"),
              "DequantizeLinear",
              List.of(rows, scaleTensor(e, t, p), zeroPointTensor(e, t, p)),
              List.of(n.output(0)),
              axis(p));
      e.replaceNode(n.name(), gather, dq);
    }
    e.removeInitializer(t);
  }

  /** int32 biases overflow no int range that matters; values saturate at the int32 bounds. */
  private static Tensor quantizeInt32(Tensor v, QParams p) {
    float[] x = v.toFloatArray();
    int[] out = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      float s = p.scale(p.perChannel() ? i : 0);
      out[i] =
          (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, Math.rint(x[i] / s)));
    }
    return Tensor.wrap(out, v.shape());
  }

  private static void activation(GraphEditor e, String t, QParams p) {
    String qName = e.freshName(t + QUANTIZED);
    String dq = e.freshName(t + DEQUANTIZED);
    e.replaceUses(t, dq);
    String scale = scaleTensor(e, t, p);
    String zp = zeroPointTensor(e, t, p);
    e.addNode(
        new Node(
            e.freshName(t + "_QuantizeLinear"),
            "QuantizeLinear",
            List.of(t, scale, zp),
            List.of(qName),
            axis(p)));
    e.addNode(
        new Node(
            e.freshName(t + "_DequantizeLinear"),
            "DequantizeLinear",
            List.of(qName, scale, zp),
            List.of(dq),
            axis(p)));
  }

  private static Node dequantize(GraphEditor e, String t, String q, String dq, QParams p) {
    return new Node(
        e.freshName(t + "_DequantizeLinear"),
        "DequantizeLinear",
        List.of(q, scaleTensor(e, t, p), zeroPointTensor(e, t, p)),
        List.of(dq),
        axis(p));
  }

  private static Attributes axis(QParams p) {
    return p.perChannel()
        ? Attributes.of(Map.of("axis", AttributeValue.of((long) p.axis())))
        : Attributes.empty();
  }

  private static String scaleTensor(GraphEditor e, String t, QParams p) {
    String name = e.freshName(t + "_scale");
    float[] s = p.scales();
    e.putInitializer(name, p.perChannel() ? Tensor.wrap(s, s.length) : Tensor.scalar(s[0]));
    return name;
  }

  private static String zeroPointTensor(GraphEditor e, String t, QParams p) {
    String name = e.freshName(t + "_zero_point");
    int[] z = p.zeroPoints();
    long[] l = new long[z.length];
    for (int i = 0; i < z.length; i++) {
      l[i] = z[i];
    }
    e.putInitializer(
        name, Numeric.fromLongs(p.dtype(), p.perChannel() ? new int[] {z.length} : new int[0], l));
    return name;
  }
}
