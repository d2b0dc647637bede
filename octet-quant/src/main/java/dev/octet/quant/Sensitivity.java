package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.quant.calib.Calibrator;
import dev.octet.quant.calib.Histogram;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which layer loses the accuracy: quantizes one node at a time (from one shared calibration) and
 * measures how far the model's outputs move from FP32 on evaluation batches, in Octet's runtime.
 * The ranking drives the automatic float fallback of the most sensitive nodes, as Intel Neural
 * Compressor's accuracy-aware tuning does.
 */
public final class Sensitivity {
  private Sensitivity() {}

  /**
   * One node's effect alone: relative squared error of the graph outputs, sum((q - f)^2) /
   * sum(f^2), over the evaluation batches.
   */
  public record Entry(String node, String opType, double relativeError) {}

  /** Every node the recipe would quantize, most sensitive first. */
  public static List<Entry> rank(
      Model fp32,
      List<Map<String, Tensor>> calibration,
      List<Map<String, Tensor>> evaluation,
      Recipe recipe,
      int threads) {
    StaticQuantizer.Prepared p = StaticQuantizer.prepare(fp32, recipe);
    Map<String, Histogram> stats =
        new Calibrator(p.model(), p.activations(), threads).run(calibration, null);
    return rank(p.model(), stats, evaluation, recipe, threads);
  }

  /** As above, for a prepared model (opset 13, float32) whose activations are calibrated. */
  static List<Entry> rank(
      Model prepared,
      Map<String, Histogram> stats,
      List<Map<String, Tensor>> evaluation,
      Recipe recipe,
      int threads) {
    List<String> candidates = new ArrayList<>();
    for (Node n : prepared.graph().nodes()) {
      if (recipe.quantizes(n)) {
        candidates.add(n.name());
      }
    }
    List<List<Tensor>> reference = outputs(prepared, evaluation, threads);
    List<Entry> out = new ArrayList<>();
    for (String node : candidates) {
      Set<String> others = new HashSet<>(candidates);
      others.remove(node);
      others.addAll(recipe.exclude());
      Model q;
      try {
        q = StaticQuantizer.build(prepared, stats, recipe.withExclude(others)).model();
      } catch (dev.octet.core.OctetException e) {
        continue; // nothing of this node is quantizable on its own
      }
      out.add(
          new Entry(
              node,
              prepared.graph().node(node).opType(),
              error(reference, outputs(q, evaluation, threads))));
    }
    out.sort(Comparator.comparingDouble(Entry::relativeError).reversed());
    return out;
  }

  private static List<List<Tensor>> outputs(
      Model m, List<Map<String, Tensor>> batches, int threads) {
    List<List<Tensor>> all = new ArrayList<>();
    try (Session s = Session.create(m, SessionOptions.defaults().withThreads(threads))) {
      for (Map<String, Tensor> b : batches) {
        all.add(new ArrayList<>(s.run(b).values()));
      }
    }
    return all;
  }

  private static double error(List<List<Tensor>> ref, List<List<Tensor>> got) {
    double num = 0;
    double den = 0;
    for (int b = 0; b < ref.size(); b++) {
      for (int o = 0; o < ref.get(b).size(); o++) {
        Tensor f = ref.get(b).get(o);
        Tensor q = got.get(b).get(o);
        if (f.dtype() != DType.FLOAT) {
          continue;
        }
        float[] x = f.floats();
        float[] y = q.floats();
        for (int i = 0; i < x.length; i++) {
          num += (double) (y[i] - x[i]) * (y[i] - x[i]);
          den += (double) x[i] * x[i];
        }
      }
    }
    return den == 0 ? num : num / den;
  }
}
