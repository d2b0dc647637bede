package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.quant.qdq.Mark;
import dev.octet.quant.qdq.QdqRewriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Dynamic quantization: weights are quantized ahead (int8, symmetric, one scale per output column),
 * activations at run time. Each MatMul with a constant 2-D weight becomes
 *
 * <pre>
 * x -> DynamicQuantizeLinear -> (x_q, s_x, z_x)
 * MatMulInteger(x_q, W_q, z_x, 0) -> int32 -> Cast(float) -> Mul(s_x * s_W[col]) -> y
 * </pre>
 *
 * which ONNX Runtime fuses into one DynamicQuantizeMatMul. Embedding tables read by Gather are
 * stored in 8 bits as in static mode. Nodes listed in the recipe's exclude stay in float. With the
 * recipe's smoothing set, the MatMul inputs are first smoothed ({@link SmoothQuant}), which needs
 * calibration data.
 */
public final class DynamicQuantizer {
  private DynamicQuantizer() {}

  /** Quantizes without calibration data (the recipe must not ask for smoothing). */
  public static Model quantize(Model fp32, Recipe recipe) {
    return quantize(fp32, recipe, null, 1, null);
  }

  /**
   * @param calibration batches for smoothing's per-channel input maxima; null when the recipe does
   *     not smooth
   * @param progress told the number of calibration batches done (may be null)
   */
  public static Model quantize(
      Model fp32,
      Recipe recipe,
      Iterable<Map<String, Tensor>> calibration,
      int threads,
      IntConsumer progress) {
    Model m = StaticQuantizer.prepareGraph(fp32, recipe, calibration, threads, progress);
    Graph g = m.graph();
    GraphEditor e = g.edit();
    int count = 0;
    for (Node n : g.nodes()) {
      if (!n.opType().equals("MatMul") || !recipe.quantizes(n)) {
        continue;
      }
      Tensor w = g.constant(n.input(1)).orElse(null);
      if (w == null || w.rank() != 2 || w.dtype() != DType.FLOAT) {
        continue;
      }
      rewriteMatMul(e, n, w, recipe);
      count++;
    }
    Map<String, Mark> tables = new LinkedHashMap<>();
    Map<String, QParams> params = new LinkedHashMap<>();
    markEmbeddingTables(g, recipe, tables, params);
    if (count == 0 && tables.isEmpty()) {
      throw new OctetException(
          "the model has no MatMul with a constant weight and no embedding table to quantize dynamically");
    }
    Graph out = e.freeze();
    if (!tables.isEmpty()) {
      out = QdqRewriter.rewrite(out, tables, params);
    }
    return m.withGraph(out);
  }

  /**
   * Marks the constant 2-D float tables that only Gathers the recipe quantizes read (embeddings),
   * with their parameters: stored in 8 bits, the Gather then reads integer rows (all modes without
   * calibration share this).
   */
  static void markEmbeddingTables(
      Graph g, Recipe recipe, Map<String, Mark> marks, Map<String, QParams> params) {
    for (Node n : g.nodes()) {
      Tensor t =
          n.opType().equals("Gather") && recipe.quantizes(n)
              ? g.constant(n.input(0)).orElse(null)
              : null;
      if (t != null
          && t.rank() == 2
          && t.dtype() == DType.FLOAT
          && g.consumers(n.input(0)).stream().allMatch(c -> c.opType().equals("Gather"))) {
        marks.put(n.input(0), new Mark.Table());
        params.put(
            n.input(0),
            StaticQuantizer.constantParams(t, new Mark.Constant(-1, true), recipe, false));
      }
    }
  }

  private static void rewriteMatMul(GraphEditor e, Node n, Tensor w, Recipe recipe) {
    String x = n.input(0);
    String base = n.name().isEmpty() ? n.output(0) : n.name();
    QParams p =
        StaticQuantizer.constantParams(
            w, new Mark.Constant(1, false), recipe, recipe.rule(n).perChannel());
    String wq = e.freshName(n.input(1) + "_quantized");
    e.putInitializer(wq, QuantMath.quantize(w, p));
    String wzp = e.freshName(n.input(1) + "_zero_point");
    int[] zps = p.zeroPoints();
    long[] z = new long[zps.length];
    for (int c = 0; c < z.length; c++) {
      z[c] = zps[c];
    }
    e.putInitializer(
        wzp,
        dev.octet.runtime.ops.Numeric.fromLongs(
            p.dtype(), z.length == 1 ? new int[0] : new int[] {z.length}, z));
    String ws = e.freshName(n.input(1) + "_scale");
    float[] scales = p.scales();
    e.putInitializer(
        ws, scales.length == 1 ? Tensor.scalar(scales[0]) : Tensor.wrap(scales, scales.length));
    String xq = e.freshName(x + "_quantized");
    String xs = e.freshName(x + "_scale");
    String xz = e.freshName(x + "_zero_point");
    String acc = e.freshName(n.output(0) + "_int32");
    String accf = e.freshName(n.output(0) + "_float");
    String scale = e.freshName(n.output(0) + "_scale");
    e.replaceNode(
        n.name(),
        new Node(
            e.freshName(base + "_DynamicQuantizeLinear"),
            "DynamicQuantizeLinear",
            List.of(x),
            List.of(xq, xs, xz),
            Attributes.empty()),
        new Node(
            e.freshName(base + "_MatMulInteger"),
            "MatMulInteger",
            List.of(xq, wq, xz, wzp),
            List.of(acc),
            Attributes.empty()),
        new Node(
            e.freshName(base + "_Cast"),
            "Cast",
            List.of(acc),
            List.of(accf),
            Attributes.of(Map.of("to", AttributeValue.of((long) DType.FLOAT.code())))),
        new Node(
            e.freshName(base + "_scale_Mul"),
            "Mul",
            List.of(xs, ws),
            List.of(scale),
            Attributes.empty()),
        new Node(
            e.freshName(base + "_output_Mul"),
            "Mul",
            List.of(accf, scale),
            List.of(n.output(0)),
            Attributes.empty()));
    e.removeInitializer(n.input(1));
  }
}
