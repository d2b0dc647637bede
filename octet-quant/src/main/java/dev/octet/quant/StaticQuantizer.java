package dev.octet.quant;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.passes.BatchNormFolding;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.passes.OpsetUpgrade;
import dev.octet.quant.calib.Calibrator;
import dev.octet.quant.calib.Histogram;
import dev.octet.quant.calib.MinMax;
import dev.octet.quant.calib.RangeEstimator;
import dev.octet.quant.qdq.Mark;
import dev.octet.quant.qdq.OpAnnotators;
import dev.octet.quant.qdq.QdqRewriter;
import dev.octet.runtime.ConstantFolding;
import dev.octet.runtime.fusion.QdqFusion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Static post-training quantization to QDQ ONNX: raise the opset to 13 (per-channel Q/DQ), mark
 * tensors with the op annotators, calibrate the marked activations on real data (streaming), choose
 * ranges with the recipe's estimator, and rewrite once.
 */
public final class StaticQuantizer {
  private StaticQuantizer() {}

  /** The quantized model and what was decided. */
  public record Result(
      Model model,
      Map<String, Mark> marks,
      Map<String, QParams> params,
      Map<String, Histogram> stats) {}

  public static Result quantize(
      Model fp32,
      Iterable<Map<String, Tensor>> calibration,
      Recipe recipe,
      int threads,
      IntConsumer progress) {
    Prepared p = marked(prepareGraph(fp32, recipe, calibration, threads, null), recipe);
    Map<String, Histogram> stats =
        new Calibrator(p.model(), p.activations(), threads).run(calibration, progress);
    if (recipe.fallback() > 0) {
      // keep the most sensitive nodes in float, judged on the first calibration samples
      java.util.List<Map<String, Tensor>> eval = new java.util.ArrayList<>();
      for (Map<String, Tensor> b : calibration) {
        eval.add(b);
        if (eval.size() == 2) {
          break;
        }
      }
      Set<String> exclude = new LinkedHashSet<>(recipe.exclude());
      Sensitivity.rank(p.model(), stats, eval, recipe, threads).stream()
          .limit(recipe.fallback())
          .forEach(e -> exclude.add(e.node()));
      recipe = recipe.withExclude(exclude);
    }
    return build(p.model(), stats, recipe);
  }

  /** The model at opset 13 in float32, and the activations that the recipe's annotators mark. */
  public record Prepared(Model model, Set<String> activations) {}

  public static Prepared prepare(Model fp32, Recipe recipe) {
    return marked(prepareGraph(fp32), recipe);
  }

  private static Prepared marked(Model prepared, Recipe recipe) {
    Model m = InputChannelPadding.apply(prepared, recipe::quantizes);
    Map<String, Mark> marks = OpAnnotators.annotate(m.graph(), recipe::quantizes);
    if (marks.isEmpty()) {
      throw new OctetException(
          "the model has nothing to quantize with this recipe (quantizable ops: "
              + recipe.opTypes()
              + ")");
    }
    Set<String> activations = new LinkedHashSet<>();
    marks.forEach(
        (t, mark) -> {
          // pass-through outputs too: a node left in float later (fallback) makes them their own
          if (mark instanceof Mark.Activation || mark instanceof Mark.SameAs) {
            activations.add(t);
          }
        });
    return new Prepared(m, activations);
  }

  /**
   * The graph preparation every quantization mode starts from: float32, opset 13 (per-channel
   * Q/DQ), constant subgraphs folded (weights behind a Reshape become weights), BatchNormalization
   * folded into the Conv before it.
   */
  static Model prepareGraph(Model fp32) {
    Model m = OpsetUpgrade.to(Float16ToFloat32.toFloat32(fp32), 13);
    return BatchNormFolding.apply(ConstantFolding.apply(m));
  }

  /**
   * The graph preparation, then the recipe's smoothing ({@link SmoothQuant}) when it asks for one,
   * which reads the calibration batches.
   *
   * @param calibration may be null when the recipe does not smooth
   */
  static Model prepareGraph(
      Model fp32,
      Recipe recipe,
      Iterable<Map<String, Tensor>> calibration,
      int threads,
      IntConsumer progress) {
    Model m = prepareGraph(fp32);
    if (!recipe.smooths()) {
      return m;
    }
    if (calibration == null) {
      throw new OctetException(
          "smoothing (SmoothQuant, "
              + recipe.smoothing()
              + ") needs calibration data for the activation maxima: give --calib DATA, or"
              + " set smoothing to 0");
    }
    return SmoothQuant.apply(m, calibration, recipe, threads, progress);
  }

  /**
   * Quantizes a prepared model with calibration statistics already collected (a superset of what
   * the recipe marks is fine, so one calibration serves many recipes).
   */
  public static Result build(Model m, Map<String, Histogram> stats, Recipe recipe) {
    Graph g = m.graph();
    Map<String, Mark> marks = OpAnnotators.annotate(g, recipe::quantizes);
    if (marks.isEmpty()) {
      throw new OctetException(
          "the model has nothing to quantize with this recipe (quantizable ops: "
              + recipe.opTypes()
              + ")");
    }
    Set<String> nearOutput = nearOutputs(g);
    Map<String, QParams> params = new LinkedHashMap<>();
    for (Map.Entry<String, Mark> e : Map.copyOf(marks).entrySet()) {
      String t = e.getKey();
      switch (e.getValue()) {
        case Mark.Activation a -> {
          Histogram h = stats.get(t);
          if (h == null || h.count() == 0) {
            marks.remove(t); // not a float tensor, or never computed: stays as it is
            continue;
          }
          // the last activations before an output decide the prediction: their extremes are not
          // outliers to clip (clipping the top logit ties the argmax), so they keep min-max
          RangeEstimator est =
              nearOutput.contains(t)
                  ? new MinMax()
                  : RangeEstimator.parse(
                      g.producer(t).map(n -> recipe.rule(n).method()).orElse(recipe.method()));
          float[] r = est.range(h, recipe.activations().symmetric());
          params.put(t, QuantMath.fromRange(recipe.activations(), r[0], r[1]));
        }
        case Mark.Table tb ->
            params.put(
                t,
                constantParams(
                    g.constant(t).orElseThrow(), new Mark.Constant(-1, true), recipe, false));
        case Mark.Constant c ->
            params.put(
                t,
                constantParams(
                    g.constant(t).orElseThrow(),
                    c,
                    recipe,
                    g.consumers(t).stream().allMatch(n -> recipe.rule(n).perChannel())));
        default -> {}
      }
    }
    // SameAs after Activation: a pass-through output takes its (resolved) source's parameters
    for (Map.Entry<String, Mark> e : Map.copyOf(marks).entrySet()) {
      if (e.getValue() instanceof Mark.SameAs s) {
        QParams p = resolve(s.source(), marks, params);
        if (p == null) {
          marks.remove(e.getKey());
        } else {
          params.put(e.getKey(), p);
        }
      }
    }
    marks
        .entrySet()
        .removeIf(
            e ->
                e.getValue() instanceof Mark.Bias b
                    && (!params.containsKey(b.input()) || !params.containsKey(b.weight())));
    Graph q = QdqRewriter.rewrite(g, marks, params);
    Model out = m.withGraph(q);
    if (recipe.format().equals("qoperator")) {
      out = qoperator(out);
    }
    return new Result(out, marks, params, stats);
  }

  /**
   * The QOperator form: the runtime's Q/DQ group fusion for files (QLinearConv, QLinearMatMul and
   * ONNX Runtime's com.microsoft QLinear ops), importing that domain when it is used.
   */
  public static Model qoperator(Model m) {
    Graph g = QdqFusion.apply(m.graph(), QdqFusion.Target.FILE).graph();
    Model out = m.withGraph(g);
    boolean contrib = g.nodes().stream().anyMatch(n -> n.domain().equals(QdqFusion.MS));
    if (contrib && out.opsetVersion(QdqFusion.MS) < 0) {
      List<OpsetImport> imports = new ArrayList<>(out.opsetImports());
      imports.add(new OpsetImport(QdqFusion.MS, 1));
      out = out.withOpsetImports(imports);
    }
    return out;
  }

  /**
   * Tensors from which a graph output is reached without passing another op that has weights (Conv,
   * ConvTranspose, Gemm, MatMul): the logits and what leads to them after the last layer.
   */
  static Set<String> nearOutputs(Graph g) {
    Set<String> out = new LinkedHashSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
    g.outputs().forEach(o -> todo.add(o.name()));
    Set<String> weighted = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
    while (!todo.isEmpty()) {
      String t = todo.pop();
      if (!out.add(t)) {
        continue;
      }
      g.producer(t)
          .ifPresent(
              n -> {
                if (!weighted.contains(n.opType())) {
                  n.inputs().stream()
                      .filter(i -> !i.isEmpty() && g.constant(i).isEmpty())
                      .forEach(todo::add);
                }
              });
    }
    return out;
  }

  private static QParams resolve(String t, Map<String, Mark> marks, Map<String, QParams> params) {
    for (int hops = 0; hops < 1000; hops++) {
      if (params.containsKey(t)) {
        return params.get(t);
      }
      if (!(marks.get(t) instanceof Mark.SameAs s)) {
        return null;
      }
      t = s.source();
    }
    throw new OctetException("cycle of shared quantization parameters at '" + t + "'");
  }

  /** Parameters of a constant from its values: per channel along the mark's axis, or per tensor. */
  static QParams constantParams(Tensor value, Mark.Constant c, Recipe recipe, boolean perChannel) {
    float[] v = value.toFloatArray();
    QuantScheme scheme = c.asActivation() ? recipe.activations() : recipe.weights();
    if (c.axis() < 0 || !perChannel || c.asActivation() || value.rank() <= c.axis()) {
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      for (float x : v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      return QuantMath.fromRange(scheme, v.length == 0 ? 0 : lo, v.length == 0 ? 0 : hi);
    }
    int[] shape = value.shape();
    int channels = shape[c.axis()];
    int inner = dev.octet.runtime.ops.Shapes.product(shape, c.axis() + 1, shape.length);
    float[] lo = new float[channels];
    float[] hi = new float[channels];
    java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
    java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < v.length; i++) {
      int ch = (i / inner) % channels;
      lo[ch] = Math.min(lo[ch], v[i]);
      hi[ch] = Math.max(hi[ch], v[i]);
    }
    return QuantMath.fromRanges(scheme.withAxis(c.axis()), lo, hi);
  }
}
