package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.quant.qdq.Mark;
import dev.octet.quant.qdq.QdqRewriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weight-only quantization (W8A32): the constant 2-D weight of every MatMul the recipe quantizes is
 * stored as int8 per output column behind a DequantizeLinear, activations stay float, and no
 * calibration data is needed. The file shrinks about 4x; Octet's runtime keeps the weights as bytes
 * and computes in float (com.octet MatMulW8), and any runtime can run the model as is. Embedding
 * tables read by Gather are stored in 8 bits as in the other modes.
 */
public final class WeightOnlyQuantizer {
  private WeightOnlyQuantizer() {}

  public static Model quantize(Model fp32, Recipe recipe) {
    if (recipe.smooths()) {
      throw new OctetException(
          "smoothing moves activation outliers into the weights; weight-only mode keeps activations"
              + " in float, so it would only cost accuracy: set smoothing to 0");
    }
    Model m = StaticQuantizer.prepareGraph(fp32);
    Graph g = m.graph();
    Map<String, Mark> marks = new LinkedHashMap<>();
    Map<String, QParams> params = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (!recipe.quantizes(n)) {
        continue;
      }
      Tensor w = n.opType().equals("MatMul") ? g.constant(n.input(1)).orElse(null) : null;
      if (w != null
          && w.rank() == 2
          && w.dtype() == DType.FLOAT
          && g.consumers(n.input(1)).stream().allMatch(c -> c.opType().equals("MatMul"))) {
        Mark.Constant c = new Mark.Constant(1, false);
        marks.put(n.input(1), c);
        params.put(
            n.input(1), StaticQuantizer.constantParams(w, c, recipe, recipe.rule(n).perChannel()));
      }
    }
    DynamicQuantizer.markEmbeddingTables(g, recipe, marks, params);
    if (marks.isEmpty()) {
      throw new OctetException(
          "the model has no MatMul with a constant 2-D weight and no embedding table to quantize");
    }
    return m.withGraph(QdqRewriter.rewrite(g, marks, params));
  }
}
