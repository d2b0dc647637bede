package dev.octet.runtime;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.runtime.fusion.Fusions;
import dev.octet.runtime.fusion.QdqFusion;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.KernelFactory;
import dev.octet.runtime.kernel.KernelRegistry;
import dev.octet.runtime.kernel.OpContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds a {@link Plan}: kernel lookup, constant folding and value lifetimes. */
final class Planner {
  /** Ops whose output differs from run to run: never folded. */
  private static final Set<String> NONDETERMINISTIC =
      Set.of(
          "RandomNormal",
          "RandomUniform",
          "RandomNormalLike",
          "RandomUniformLike",
          "Multinomial",
          "Bernoulli");

  private Planner() {}

  static Plan plan(Model model, SessionOptions options) {
    if (options.fuse() && options.constantFolding() && computesParameters(model.graph())) {
      // the fusions fold a BatchNormalization into its Conv only when the parameters are
      // initializers: compute them first (ONNX's light ResNet-50 makes every weight with
      // ConstantOfShape, and ran Conv, BatchNormalization and Relu one by one)
      model = ConstantFolding.apply(model, Long.MAX_VALUE);
    }
    Graph g = model.graph();
    QdqFusion.Result qdq = new QdqFusion.Result(g, List.of(), List.of());
    if (options.fuse()) {
      qdq = QdqFusion.apply(g, QdqFusion.Target.RUNTIME);
      g = Fusions.apply(qdq.graph(), Math.max(0, model.opsetVersion("")));
    }
    KernelRegistry registry = options.registry();
    Map<String, Integer> slots = new LinkedHashMap<>();
    List<Tensor> constants = new ArrayList<>();
    g.initializers().forEach((name, t) -> set(constants, slot(slots, name), t));
    for (ValueInfo in : g.realInputs()) {
      slot(slots, in.name());
    }

    List<String> unsupported = new ArrayList<>();
    List<PendingStep> pending = new ArrayList<>();
    List<String> folded = new ArrayList<>();
    ExecContext foldCtx = new ExecContext(null, 1);
    for (Node node : g.nodes()) {
      long opset = opsetOf(model, node);
      Optional<KernelFactory> factory = registry.find(node.domain(), node.opType(), opset);
      if (factory.isEmpty()) {
        List<Integer> versions = registry.versions(node.domain(), node.opType());
        unsupported.add(
            node.describe()
                + " at opset "
                + opset
                + (versions.isEmpty()
                    ? " (op not supported)"
                    : " (supported since opset " + versions + ")"));
        continue;
      }
      Tensor[] constIn = new Tensor[node.inputs().size()];
      boolean allConstant =
          Graph.subgraphs(node).isEmpty() && !NONDETERMINISTIC.contains(node.opType());
      for (int i = 0; i < constIn.length; i++) {
        String name = node.input(i);
        if (name.isEmpty()) {
          continue;
        }
        Integer s = slots.get(name);
        if (s == null) {
          throw new OctetException(
              node.describe() + ": input '" + name + "' is not defined before it");
        }
        constIn[i] = s < constants.size() ? constants.get(s) : null;
        allConstant &= constIn[i] != null;
      }
      Kernel kernel = factory.get().create(new OpContext(node, opset, constIn));
      int[] outSlots = new int[node.outputs().size()];
      for (int j = 0; j < outSlots.length; j++) {
        outSlots[j] = node.output(j).isEmpty() ? -1 : slot(slots, node.output(j));
      }
      if (allConstant && options.constantFolding()) {
        Tensor[] out =
            Plan.execute(
                new Plan.Step(node, kernel, new int[0], outSlots, new int[0]), foldCtx, constIn);
        for (int j = 0; j < outSlots.length; j++) {
          if (outSlots[j] >= 0 && j < out.length && out[j] != null) {
            set(constants, outSlots[j], out[j]);
          }
        }
        folded.add(node.name());
        continue;
      }
      pending.add(new PendingStep(node, kernel, outSlots));
    }
    if (!unsupported.isEmpty()) {
      throw new OctetException(
          "graph '"
              + g.name()
              + "' uses "
              + unsupported.size()
              + " node(s) Octet's runtime cannot run: "
              + String.join("; ", unsupported)
              + ". Supported ops: "
              + String.join(", ", registry.ops()));
    }
    Tensor[] constArray = new Tensor[slots.size()];
    for (int i = 0; i < constants.size(); i++) {
      constArray[i] = constants.get(i);
    }
    List<Plan.Step> steps = lifetimes(g, slots, constArray, pending);
    Set<Object> protectedArrays = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Tensor t : constArray) {
      if (t != null) {
        protectedArrays.add(t.data());
      }
    }
    return new Plan(
        g,
        Collections.unmodifiableMap(slots),
        constArray,
        List.copyOf(steps),
        protectedArrays,
        List.copyOf(folded),
        qdq.fused(),
        qdq.unfused());
  }

  private record PendingStep(Node node, Kernel kernel, int[] outputs) {}

  /**
   * Ops whose inputs after the first are parameters that a fusion folds when they are initializers
   * (a Conv's weight and bias, a BatchNormalization's statistics).
   */
  private static final Set<String> PARAMETERIZED = Set.of("Conv", "BatchNormalization");

  /**
   * Whether a parameter input (after the first) of a {@link #PARAMETERIZED} node is computed by
   * constant nodes rather than given as an initializer (never in a model with Q/DQ nodes, whose
   * fusion wants the DequantizeLinear nodes of its weights as they are).
   */
  static boolean computesParameters(Graph g) {
    if (g.nodes().stream().anyMatch(n -> n.opType().endsWith("QuantizeLinear"))) {
      return false; // a quantized model: its weights are DequantizeLinear outputs, kept for QDQ
    }
    Set<String> constant = new HashSet<>(g.initializers().keySet());
    Set<String> computed = new HashSet<>();
    for (Node n : g.nodes()) {
      if (!Graph.subgraphs(n).isEmpty() || NONDETERMINISTIC.contains(n.opType())) {
        continue;
      }
      if (n.inputs().stream().allMatch(i -> i.isEmpty() || constant.contains(i))) {
        for (String o : n.outputs()) {
          constant.add(o);
          computed.add(o);
        }
      }
    }
    for (Node n : g.nodes()) {
      if (PARAMETERIZED.contains(n.opType())
          && n.inputs().stream().skip(1).anyMatch(computed::contains)) {
        return true;
      }
    }
    return false;
  }

  /** Frees each non-constant, non-output value after its last reader. */
  private static List<Plan.Step> lifetimes(
      Graph g, Map<String, Integer> slots, Tensor[] constants, List<PendingStep> pending) {
    Map<Integer, Integer> lastUse = new HashMap<>();
    List<int[]> inputSlots = new ArrayList<>();
    for (int k = 0; k < pending.size(); k++) {
      Node node = pending.get(k).node();
      int[] in = new int[node.inputs().size()];
      for (int i = 0; i < in.length; i++) {
        in[i] = node.input(i).isEmpty() ? -1 : slots.get(node.input(i));
        if (in[i] >= 0) {
          lastUse.put(in[i], k);
        }
      }
      for (Graph sub : Graph.subgraphs(node)) {
        for (String free : sub.freeVariables()) {
          Integer s = slots.get(free);
          if (s != null) {
            lastUse.put(s, k);
          }
        }
      }
      inputSlots.add(in);
    }
    for (ValueInfo o : g.outputs()) {
      Integer s = slots.get(o.name());
      if (s == null) {
        throw new OctetException("graph output '" + o.name() + "' is never produced");
      }
      lastUse.remove(s);
    }
    List<List<Integer>> frees = new ArrayList<>();
    pending.forEach(p -> frees.add(new ArrayList<>()));
    lastUse.forEach(
        (slot, step) -> {
          if (constants[slot] == null) {
            frees.get(step).add(slot);
          }
        });
    List<Plan.Step> steps = new ArrayList<>();
    for (int k = 0; k < pending.size(); k++) {
      PendingStep p = pending.get(k);
      int[] free = frees.get(k).stream().mapToInt(Integer::intValue).toArray();
      steps.add(new Plan.Step(p.node(), p.kernel(), inputSlots.get(k), p.outputs(), free));
    }
    return steps;
  }

  private static long opsetOf(Model model, Node node) {
    long v = model.opsetVersion(node.domain());
    if (v < 0 && node.domain().isEmpty()) {
      throw new OctetException(
          "the model does not import the ONNX opset (opset_import is empty); cannot resolve "
              + node.describe());
    }
    return v < 0 ? 1 : v;
  }

  private static int slot(Map<String, Integer> slots, String name) {
    return slots.computeIfAbsent(name, k -> slots.size());
  }

  private static void set(List<Tensor> constants, int slot, Tensor t) {
    while (constants.size() <= slot) {
      constants.add(null);
    }
    constants.set(slot, t);
  }
}
