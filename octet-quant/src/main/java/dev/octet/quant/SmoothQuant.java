package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.quant.calib.Calibrator;
import dev.octet.quant.calib.ChannelMax;
import dev.octet.runtime.fusion.Fusions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * SmoothQuant (Xiao et al., 2023; the smooth-quant pass of Intel Neural Compressor and NNCF).
 * Transformer activations have a few channels far larger than the rest, and they sit in the layer
 * normalization outputs (all-MiniLM-L6-v2: channel 99 reaches 28 where the median channel stays
 * below 1.6); one activation scale per tensor, set by them, leaves the other channels a handful of
 * levels. Dividing channel j of a MatMul's input by s_j and multiplying row j of its weight by s_j
 * leaves the product unchanged and moves the outliers into the weights, which are quantized per
 * output column: s_j = max|x_j|^alpha / max|W_j|^(1 - alpha), with max|x_j| from calibration.
 *
 * <p>As in the paper's reference implementation, only MatMuls that read a layer normalization (the
 * op, or the decomposed form exporters write) are smoothed: there the outlier channels are
 * systematic. Smoothing the two other MatMuls of a MiniLM block as well (attention output, FFN
 * down) cost STS-B Spearman (0.8171 against 0.8193 for the LayerNorm-fed ones alone, dynamic mode),
 * and so did choosing alpha per input by the MatMul's own output error (0.8172: that criterion
 * preferred 0.7 everywhere).
 *
 * <p>The MatMuls that read one input (a transformer's query, key and value projections) share one
 * {@code Mul(x, 1/s)}, with max|W_j| taken over all their weights. Only MatMuls with a constant 2-D
 * float weight read by no other node are smoothed.
 */
public final class SmoothQuant {
  private SmoothQuant() {}

  /**
   * Calibrates the inputs of the MatMuls to smooth on {@code batches} (their channel maxima only)
   * and smooths them with the recipe's alpha; the model's metadata lists the smoothed inputs. A
   * model with nothing to smooth is returned as it is, without a calibration pass.
   *
   * <p>The result computes the same outputs in float; it can also be handed to another quantizer.
   *
   * @param prepared a float32 model at opset 13 or later (as the quantizers prepare it)
   */
  public static Model apply(
      Model prepared,
      Iterable<Map<String, Tensor>> batches,
      Recipe recipe,
      int threads,
      IntConsumer progress) {
    Graph g = prepared.graph();
    Map<String, List<Node>> groups = groups(g, recipe);
    if (groups.isEmpty()) {
      return prepared;
    }
    Map<String, ChannelMax> stats =
        new Calibrator(prepared, groups.keySet(), threads)
            .run(batches, progress, ChannelMax::new, ChannelMax::observe);
    GraphEditor e = g.edit();
    List<String> smoothed = new ArrayList<>();
    for (Map.Entry<String, List<Node>> group : groups.entrySet()) {
      String x = group.getKey();
      List<Tensor> weights = new ArrayList<>();
      group.getValue().forEach(n -> weights.add(g.constant(n.input(1)).orElseThrow()));
      float[] xMax = stats.containsKey(x) ? stats.get(x).values() : new float[0];
      if (xMax.length == weights.get(0).shape()[0]) {
        float[] s = scales(xMax, rowMax(weights), recipe.smoothing());
        rewrite(e, x, group.getValue(), weights, s);
        smoothed.add(x);
      }
    }
    Map<String, String> meta = new LinkedHashMap<>(prepared.metadata());
    meta.put("octet.smoothing", "alpha " + recipe.smoothing() + ": " + String.join(", ", smoothed));
    return prepared.withGraph(e.freeze()).withMetadata(meta);
  }

  /** Inserts {@code Mul(x, 1/s)} before the group's first MatMul and scales the weights' rows. */
  private static void rewrite(
      GraphEditor e, String x, List<Node> nodes, List<Tensor> weights, float[] s) {
    int k = s.length;
    float[] inv = new float[k];
    for (int j = 0; j < k; j++) {
      inv[j] = 1 / s[j];
    }
    String smoothed = e.freshName(x + "_smoothed");
    String invName = e.freshName(x + "_smooth_scale");
    e.putInitializer(invName, Tensor.wrap(inv, k));
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      e.putInitializer(n.input(1), scaleRows(weights.get(i), s));
      Node rewired = n.withInputs(List.of(smoothed, n.input(1)));
      if (i == 0) {
        Node mul =
            new Node(
                e.freshName(x + "_Smooth"),
                "Mul",
                List.of(x, invName),
                List.of(smoothed),
                Attributes.empty());
        e.replaceNode(n.name(), mul, rewired);
      } else {
        e.replaceNode(n.name(), rewired);
      }
    }
  }

  private static Tensor scaleRows(Tensor w, float[] s) {
    float[] v = w.toFloatArray();
    int cols = v.length / s.length;
    for (int i = 0; i < v.length; i++) {
      v[i] *= s[i / cols];
    }
    return Tensor.wrap(v, s.length, cols);
  }

  private static float[] rowMax(List<Tensor> weights) {
    int k = weights.get(0).shape()[0];
    float[] max = new float[k];
    for (Tensor t : weights) {
      float[] w = t.floats();
      int cols = w.length / k;
      for (int i = 0; i < w.length; i++) {
        max[i / cols] = Math.max(max[i / cols], Math.abs(w[i]));
      }
    }
    return max;
  }

  /** s_j = max|x_j|^alpha / max|W_j|^(1 - alpha), 1 where either maximum is zero. */
  static float[] scales(float[] xMax, float[] wMax, float alpha) {
    float[] s = new float[xMax.length];
    for (int j = 0; j < s.length; j++) {
      s[j] =
          xMax[j] > 0 && wMax[j] > 0
              ? (float) (Math.pow(xMax[j], alpha) / Math.pow(wMax[j], 1 - alpha))
              : 1;
      s[j] = Math.min(Math.max(s[j], 1e-5f), 1e5f);
    }
    return s;
  }

  /**
   * The MatMuls that can be smoothed, by the layer normalization output they read, in graph order.
   */
  static Map<String, List<Node>> groups(Graph g, Recipe recipe) {
    Set<String> normalized = new HashSet<>();
    for (Node n : Fusions.apply(g).nodes()) {
      if (n.opType().equals("LayerNormalization")) {
        normalized.add(n.output(0));
      }
    }
    Map<String, List<Node>> groups = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      Tensor w =
          n.opType().equals("MatMul") && recipe.quantizes(n)
              ? g.constant(n.input(1)).orElse(null)
              : null;
      if (w != null
          && w.rank() == 2
          && w.dtype() == DType.FLOAT
          && g.consumers(n.input(1)).size() == 1
          && normalized.contains(n.input(0))) {
        groups.computeIfAbsent(n.input(0), k -> new ArrayList<>()).add(n);
      }
    }
    return groups;
  }
}
