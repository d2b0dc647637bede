package dev.octet.runtime.fusion;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Node;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Conv(X, constant W[, constant B]) followed by its only reader, an inference BatchNormalization
 * with constant parameters, becomes one Conv: with s = scale / sqrt(var + epsilon) per output
 * channel, W' = W * s and B' = (B - mean) * s + bias (ONNX Runtime folds it the same way). Models
 * that keep their batch norms (ONNX's ResNet-50 from Caffe2, the model zoo's MXNet ResNets) then
 * run one convolution per layer, and a following Relu fuses into it. The results differ from the
 * unfused graph's by rounding (the product with s happens before the sum instead of after).
 */
final class ConvBatchNormFusion {
  private ConvBatchNormFusion() {}

  static Graph apply(Graph g) {
    GraphEditor e = null;
    Set<String> replaced = new HashSet<>();
    for (Node conv : g.nodes()) {
      Tensor w =
          Fusions.is(conv, "Conv") && conv.outputs().size() == 1 && conv.inputs().size() >= 2
              ? g.constant(conv.input(1))
                  .filter(t -> t.dtype() == DType.FLOAT && t.rank() >= 3)
                  .orElse(null)
              : null;
      boolean hasBias = conv.inputs().size() > 2 && !conv.input(2).isEmpty();
      Tensor b = hasBias ? g.constant(conv.input(2)).orElse(null) : null;
      if (w == null || (hasBias && (b == null || b.size() != w.dim(0)))) {
        continue;
      }
      int m = w.dim(0);
      Optional<Node> bn =
          Fusions.onlyConsumer(g, conv.output(0))
              .filter(n -> Fusions.is(n, "BatchNormalization"))
              .filter(n -> n.input(0).equals(conv.output(0)) && inference(g, n))
              .filter(n -> n.inputs().size() == 5);
      if (bn.isEmpty()) {
        continue;
      }
      float[][] p = new float[4][];
      for (int i = 0; i < 4; i++) {
        p[i] =
            g.constant(bn.get().input(i + 1))
                .filter(t -> t.dtype() == DType.FLOAT && t.rank() == 1 && t.size() == m)
                .map(Tensor::toFloatArray)
                .orElse(null);
      }
      if (p[0] == null || p[1] == null || p[2] == null || p[3] == null) {
        continue;
      }
      double epsilon = bn.get().attributes().getFloat("epsilon", 1e-5f);
      float[] wv = w.toFloatArray();
      float[] bias = new float[m];
      int per = wv.length / m;
      for (int o = 0; o < m; o++) {
        double s = p[0][o] / Math.sqrt(p[3][o] + epsilon);
        for (int i = o * per; i < (o + 1) * per; i++) {
          wv[i] = (float) (wv[i] * s);
        }
        double b0 = b == null ? 0 : b.getDouble(o);
        bias[o] = (float) ((b0 - p[2][o]) * s + p[1][o]);
      }
      e = e == null ? g.edit() : e;
      String wName = e.freshName(conv.name() + "_w_bn");
      String bName = e.freshName(conv.name() + "_b_bn");
      e.putInitializer(wName, Tensor.wrap(wv, w.shape()));
      e.putInitializer(bName, Tensor.wrap(bias, m));
      e.removeNode(bn.get().name());
      e.replaceNode(
          conv.name(),
          conv.withInputs(List.of(conv.input(0), wName, bName)).withOutputs(bn.get().outputs()));
      replaced.addAll(conv.inputs().subList(1, conv.inputs().size()));
      replaced.addAll(bn.get().inputs().subList(1, 5));
    }
    return e == null ? g : dropUnread(e.freezeSubgraph(), replaced);
  }

  /** The initializers among {@code names} that nothing reads any more, removed (memory). */
  private static Graph dropUnread(Graph g, Set<String> names) {
    if (g.nodes().stream().anyMatch(n -> !Graph.subgraphs(n).isEmpty())) {
      return g;
    }
    GraphEditor e = g.edit();
    for (String name : names) {
      if (g.initializers().containsKey(name) && g.consumers(name).isEmpty() && !g.isOutput(name)) {
        e.removeInitializer(name);
      }
    }
    return e.freezeSubgraph();
  }

  /**
   * An inference BatchNormalization: one output, statistics per channel (opset 7-8's spatial = 1,
   * the default), not in training mode (opset 14).
   */
  private static boolean inference(Graph g, Node bn) {
    boolean extraOutputs =
        bn.outputs().stream()
            .skip(1)
            .anyMatch(o -> !o.isEmpty() && (!g.consumers(o).isEmpty() || g.isOutput(o)));
    return !extraOutputs
        && bn.attributes().getInt("spatial", 1) == 1
        && bn.attributes().getInt("training_mode", 0) == 0;
  }
}
