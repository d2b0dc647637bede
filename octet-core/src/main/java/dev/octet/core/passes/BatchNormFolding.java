package dev.octet.core.passes;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Folds an inference-mode BatchNormalization into the Conv before it: with {@code k = scale /
 * sqrt(var + epsilon)} per output channel, {@code W' = W * k} and {@code B' = (B - mean) * k +
 * bias}. Applies where the Conv's float weights and all BatchNormalization parameters are constants
 * and the BatchNormalization is the Conv output's only reader; the folded weights are new
 * initializers (shared originals are left for their other readers).
 */
public final class BatchNormFolding {
  private BatchNormFolding() {}

  public static Model apply(Model model) {
    Graph g = apply(model.graph());
    return g == model.graph() ? model : model.withGraph(g);
  }

  /**
   * The graph with its batch norms folded (the same graph when none folds). Initializers that only
   * the folded nodes read are dropped, so that a session does not hold the weights twice.
   */
  public static Graph apply(Graph g) {
    GraphEditor e = g.edit();
    int folded = 0;
    Set<String> replaced = new HashSet<>();
    for (Node bn : g.nodes()) {
      Node conv = convBefore(g, bn);
      if (conv == null) {
        continue;
      }
      Tensor w = g.constant(conv.input(1)).orElseThrow();
      int m = w.dim(0);
      float[] scale = g.constant(bn.input(1)).orElseThrow().toFloatArray();
      float[] bias = g.constant(bn.input(2)).orElseThrow().toFloatArray();
      float[] mean = g.constant(bn.input(3)).orElseThrow().toFloatArray();
      float[] var = g.constant(bn.input(4)).orElseThrow().toFloatArray();
      if (scale.length != m || bias.length != m || mean.length != m || var.length != m) {
        continue;
      }
      float eps = bn.attributes().getFloat("epsilon", 1e-5f);
      float[] k = new float[m];
      for (int c = 0; c < m; c++) {
        k[c] = (float) (scale[c] / Math.sqrt((double) var[c] + eps));
      }
      float[] wv = w.toFloatArray();
      int inner = wv.length / m;
      float[] w2 = new float[wv.length];
      for (int i = 0; i < wv.length; i++) {
        w2[i] = wv[i] * k[i / inner];
      }
      float[] b0 =
          conv.input(2).isEmpty()
              ? new float[m]
              : g.constant(conv.input(2)).orElseThrow().toFloatArray();
      float[] b2 = new float[m];
      for (int c = 0; c < m; c++) {
        b2[c] = (b0[c] - mean[c]) * k[c] + bias[c];
      }
      String wName = e.freshName(conv.input(1) + "_bn");
      String bName = e.freshName(bn.name() + "_folded_bias");
      e.putInitializer(wName, Tensor.wrap(w2, w.shape()));
      e.putInitializer(bName, Tensor.wrap(b2, m));
      List<String> inputs = new ArrayList<>(List.of(conv.input(0), wName, bName));
      e.replaceNode(conv.name(), conv.withInputs(inputs).withOutputs(List.of(bn.output(0))));
      e.removeNode(bn.name());
      replaced.addAll(conv.inputs().subList(1, conv.inputs().size()));
      replaced.addAll(bn.inputs().subList(1, bn.inputs().size()));
      folded++;
    }
    return folded == 0 ? g : dropUnread(e.freezeSubgraph(), replaced);
  }

  /** The initializers among {@code names} that nothing reads any more, removed. */
  private static Graph dropUnread(Graph g, Set<String> names) {
    if (g.nodes().stream().anyMatch(n -> !Graph.subgraphs(n).isEmpty())) {
      return g; // a subgraph may read them by name
    }
    GraphEditor e = g.edit();
    for (String name : names) {
      if (g.initializers().containsKey(name) && g.consumers(name).isEmpty() && !g.isOutput(name)) {
        e.removeInitializer(name);
      }
    }
    return e.freezeSubgraph();
  }

  /** The Conv that {@code bn} can be folded into, or null. */
  private static Node convBefore(Graph g, Node bn) {
    if (!bn.opType().equals("BatchNormalization")
        || !bn.domain().isEmpty()
        || bn.attributes().getInt("training_mode", 0) != 0
        || bn.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
      return null;
    }
    for (int i = 1; i <= 4; i++) {
      if (g.constant(bn.input(i)).isEmpty()) {
        return null;
      }
    }
    Node conv = g.producer(bn.input(0)).orElse(null);
    if (conv == null
        || !conv.opType().equals("Conv")
        || !conv.domain().isEmpty()
        || g.consumers(conv.output(0)).size() != 1
        || g.isOutput(conv.output(0))) {
      return null;
    }
    Tensor w = g.constant(conv.input(1)).orElse(null);
    boolean biasOk =
        conv.input(2).isEmpty()
            || g.constant(conv.input(2)).map(b -> b.dtype() == DType.FLOAT).orElse(false);
    return w != null && w.dtype() == DType.FLOAT && w.rank() >= 3 && biasOk ? conv : null;
  }
}
