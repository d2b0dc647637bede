package dev.octet.core.graph;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one way to change a graph: a mutable working copy whose {@link #freeze()} sorts the nodes
 * topologically and validates single assignment and references. Nodes can be added in any order.
 * Not thread-safe.
 */
public final class GraphEditor {
  private String name;
  private String docString;
  private final List<Node> nodes;
  private final List<ValueInfo> inputs;
  private final List<ValueInfo> outputs;
  private final Map<String, Tensor> initializers;
  private final List<ValueInfo> valueInfos;
  private final List<Opaque> sparseInitializers;
  private final List<QuantAnnotation> quantAnnotations;
  private final Map<String, String> metadata;
  private Set<String> takenNames;

  /** An empty graph. */
  public GraphEditor(String name) {
    this.name = name == null ? "" : name;
    this.docString = "";
    this.nodes = new ArrayList<>();
    this.inputs = new ArrayList<>();
    this.outputs = new ArrayList<>();
    this.initializers = new LinkedHashMap<>();
    this.valueInfos = new ArrayList<>();
    this.sparseInitializers = new ArrayList<>();
    this.quantAnnotations = new ArrayList<>();
    this.metadata = new LinkedHashMap<>();
  }

  GraphEditor(Graph g) {
    this.name = g.name();
    this.docString = g.docString();
    this.nodes = new ArrayList<>(g.nodes());
    this.inputs = new ArrayList<>(g.inputs());
    this.outputs = new ArrayList<>(g.outputs());
    this.initializers = new LinkedHashMap<>(g.initializers());
    this.valueInfos = new ArrayList<>(g.valueInfos());
    this.sparseInitializers = new ArrayList<>(g.sparseInitializers());
    this.quantAnnotations = new ArrayList<>(g.quantAnnotations());
    this.metadata = new LinkedHashMap<>(g.metadata());
  }

  public GraphEditor name(String newName) {
    this.name = newName;
    return this;
  }

  public GraphEditor docString(String doc) {
    this.docString = doc == null ? "" : doc;
    return this;
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public Map<String, Tensor> initializers() {
    return Map.copyOf(initializers);
  }

  public List<ValueInfo> inputs() {
    return List.copyOf(inputs);
  }

  public List<ValueInfo> outputs() {
    return List.copyOf(outputs);
  }

  public GraphEditor addNode(Node node) {
    nodes.add(node);
    taken(node.name());
    node.outputs().forEach(this::taken);
    return this;
  }

  /** Replaces the node named {@code nodeName} by {@code replacements} (none removes it). */
  public GraphEditor replaceNode(String nodeName, Node... replacements) {
    int i = indexOf(nodeName);
    nodes.remove(i);
    nodes.addAll(i, List.of(replacements));
    for (Node r : replacements) {
      taken(r.name());
      r.outputs().forEach(this::taken);
    }
    return this;
  }

  public GraphEditor removeNode(String nodeName) {
    nodes.remove(indexOf(nodeName));
    return this;
  }

  private int indexOf(String nodeName) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).name().equals(nodeName)) {
        return i;
      }
    }
    throw new OctetException("graph '" + name + "' has no node named '" + nodeName + "'");
  }

  public GraphEditor putInitializer(String valueName, Tensor value) {
    initializers.put(valueName, value);
    taken(valueName);
    return this;
  }

  public GraphEditor removeInitializer(String valueName) {
    initializers.remove(valueName);
    inputs.removeIf(v -> v.name().equals(valueName));
    return this;
  }

  public GraphEditor addInput(ValueInfo input) {
    inputs.add(input);
    taken(input.name());
    return this;
  }

  public GraphEditor addOutput(ValueInfo output) {
    outputs.add(output);
    return this;
  }

  public GraphEditor setOutputs(List<ValueInfo> newOutputs) {
    outputs.clear();
    outputs.addAll(newOutputs);
    return this;
  }

  public GraphEditor addValueInfo(ValueInfo info) {
    valueInfos.add(info);
    return this;
  }

  public GraphEditor removeValueInfo(String valueName) {
    valueInfos.removeIf(v -> v.name().equals(valueName));
    return this;
  }

  public GraphEditor addSparseInitializer(Opaque sparse) {
    sparseInitializers.add(sparse);
    return this;
  }

  public GraphEditor addQuantAnnotation(QuantAnnotation annotation) {
    quantAnnotations.add(annotation);
    return this;
  }

  public GraphEditor putMetadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /**
   * Makes every node read {@code newValue} where it read {@code oldValue}; graph outputs are left
   * alone.
   */
  public GraphEditor replaceUses(String oldValue, String newValue) {
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (n.inputs().contains(oldValue)) {
        List<String> in = n.inputs().stream().map(s -> s.equals(oldValue) ? newValue : s).toList();
        nodes.set(i, n.withInputs(in));
      }
    }
    return this;
  }

  /**
   * A name that no node, value or initializer of this graph (or of its subgraphs) uses yet: {@code
   * base} itself when free, else {@code base_1}, {@code base_2}, ...
   */
  public String freshName(String base) {
    Set<String> taken = takenNames();
    String candidate = base;
    for (int i = 1; taken.contains(candidate); i++) {
      candidate = base + "_" + i;
    }
    taken.add(candidate);
    return candidate;
  }

  /** Gives every unnamed node a stable name ({@code <OpType>_<index>}) and renames duplicates. */
  public GraphEditor nameNodesUniquely() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (n.name().isEmpty() || !seen.add(n.name())) {
        String base = n.name().isEmpty() ? n.opType() + "_" + i : n.name();
        String fresh = freshName(base);
        seen.add(fresh);
        nodes.set(i, n.withName(fresh));
      }
    }
    return this;
  }

  private Set<String> takenNames() {
    if (takenNames == null) {
      takenNames = new HashSet<>();
      collectNames(nodes, inputs, outputs, initializers.keySet(), valueInfos, takenNames);
    }
    return takenNames;
  }

  private void taken(String value) {
    if (takenNames != null && !value.isEmpty()) {
      takenNames.add(value);
    }
  }

  private static void collectNames(
      List<Node> nodes,
      List<ValueInfo> inputs,
      List<ValueInfo> outputs,
      Set<String> inits,
      List<ValueInfo> valueInfos,
      Set<String> into) {
    into.addAll(inits);
    for (List<ValueInfo> list : List.of(inputs, outputs, valueInfos)) {
      list.forEach(v -> into.add(v.name()));
    }
    for (Node n : nodes) {
      into.add(n.name());
      into.addAll(n.outputs());
      into.addAll(n.inputs());
      for (Graph sub : Graph.subgraphs(n)) {
        collectNames(
            sub.nodes(),
            sub.inputs(),
            sub.outputs(),
            sub.initializers().keySet(),
            sub.valueInfos(),
            into);
      }
    }
  }

  /** Validates and freezes a top-level graph: every name it reads must be defined in it. */
  public Graph freeze() {
    Graph g = freezeSubgraph();
    if (!g.freeVariables().isEmpty()) {
      String missing = g.freeVariables().iterator().next();
      throw new OctetException(GraphValidator.danglingMessage(name, nodes, outputs, missing));
    }
    return g;
  }

  /**
   * Validates and freezes a subgraph: names it reads but does not define become its free variables,
   * to be resolved by the enclosing graph.
   */
  public Graph freezeSubgraph() {
    GraphValidator.Result r =
        GraphValidator.validate(name, nodes, inputs, outputs, initializers.keySet());
    return new Graph(
        name,
        docString,
        r.sortedNodes(),
        inputs,
        outputs,
        initializers,
        valueInfos,
        sparseInitializers,
        quantAnnotations,
        metadata,
        r.freeVariables());
  }
}
