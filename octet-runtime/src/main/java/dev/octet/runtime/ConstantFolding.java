package dev.octet.runtime;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import java.util.HashSet;
import java.util.Set;

/**
 * Rewrites a model with its constant subgraphs computed once: a node whose inputs are all constants
 * is removed and its outputs become initializers (a weight behind a Reshape or Transpose becomes a
 * plain weight that a quantizer can see). Uses the runtime's kernels through the planner, so it
 * folds exactly what a Session would. A folded tensor larger than the largest initializer of the
 * model stays computed (folding must not grow the file), as do graph outputs.
 */
public final class ConstantFolding {
  private ConstantFolding() {}

  public static Model apply(Model model) {
    return apply(model, -1);
  }

  /**
   * As {@link #apply(Model)}, with the largest tensor to materialize given in elements (-1: the
   * size of the largest initializer).
   */
  public static Model apply(Model model, long maxElements) {
    Plan plan =
        Session.create(model, SessionOptions.defaults().withThreads(1).withFusion(false)).plan();
    if (plan.folded().isEmpty()) {
      return model;
    }
    Graph g = plan.graph();
    long largest =
        maxElements >= 0
            ? maxElements
            : g.initializers().values().stream().mapToLong(Tensor::size).max().orElse(0);
    Set<String> folded = new HashSet<>(plan.folded());
    Set<String> outputs = new HashSet<>();
    g.outputs().stream().map(ValueInfo::name).forEach(outputs::add);
    // the values that stay computed: folded nodes kept because of size or graph outputs
    Set<String> kept = new HashSet<>();
    for (Node n : g.nodes()) {
      if (folded.contains(n.name())) {
        for (String o : n.outputs()) {
          Tensor t = o.isEmpty() ? null : plan.constants()[plan.slot(o)];
          if (outputs.contains(o) || (t != null && t.size() > largest)) {
            kept.add(n.name());
          }
        }
      }
    }
    if (kept.size() == folded.size()) {
      return model;
    }
    GraphEditor e = g.edit();
    Set<String> needed = new HashSet<>();
    for (Node n : g.nodes()) {
      if (!folded.contains(n.name()) || kept.contains(n.name())) {
        needed.addAll(n.inputs());
      }
    }
    Set<String> orphans = new HashSet<>();
    for (Node n : g.nodes()) {
      if (folded.contains(n.name()) && !kept.contains(n.name())) {
        e.removeNode(n.name());
        orphans.addAll(n.inputs());
        for (String o : n.outputs()) {
          if (needed.contains(o)) {
            e.putInitializer(o, plan.constants()[plan.slot(o)]);
          }
        }
      }
    }
    boolean subgraphs = g.nodes().stream().anyMatch(n -> !Graph.subgraphs(n).isEmpty());
    for (String t : orphans) {
      if (!subgraphs
          && g.initializers().containsKey(t)
          && !needed.contains(t)
          && !outputs.contains(t)) {
        e.removeInitializer(t); // read only by nodes that were folded away
      }
    }
    return model.withGraph(e.freeze());
  }
}
