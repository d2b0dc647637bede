package dev.octet.core.graph;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A frozen computation graph: nodes in topological order, each value assigned once. Built only by
 * {@link GraphEditor#freeze()}, which validates it; {@link #edit()} starts a changed copy.
 *
 * <p>A subgraph (the body of If, Loop or Scan) may read values of its enclosing graphs; those names
 * are its {@link #freeVariables()}, and the enclosing graph treats them as implicit inputs of the
 * node that holds the subgraph.
 */
public final class Graph {
  private final String name;
  private final String docString;
  private final List<Node> nodes;
  private final List<ValueInfo> inputs;
  private final List<ValueInfo> outputs;
  private final Map<String, Tensor> initializers;
  private final List<ValueInfo> valueInfos;
  private final List<Opaque> sparseInitializers;
  private final List<QuantAnnotation> quantAnnotations;
  private final Map<String, String> metadata;
  private final Set<String> freeVariables;

  private final Map<String, Node> nodeByName = new HashMap<>();
  private final Map<String, Node> producerByValue = new HashMap<>();
  private final Map<String, List<Node>> consumersByValue = new HashMap<>();

  Graph(
      String name,
      String docString,
      List<Node> nodes,
      List<ValueInfo> inputs,
      List<ValueInfo> outputs,
      Map<String, Tensor> initializers,
      List<ValueInfo> valueInfos,
      List<Opaque> sparseInitializers,
      List<QuantAnnotation> quantAnnotations,
      Map<String, String> metadata,
      Set<String> freeVariables) {
    this.name = name;
    this.docString = docString;
    this.nodes = List.copyOf(nodes);
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
    this.valueInfos = List.copyOf(valueInfos);
    this.sparseInitializers = List.copyOf(sparseInitializers);
    this.quantAnnotations = List.copyOf(quantAnnotations);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.freeVariables = Collections.unmodifiableSet(new LinkedHashSet<>(freeVariables));
    for (Node n : this.nodes) {
      nodeByName.put(n.name(), n);
      for (String out : n.outputs()) {
        if (!out.isEmpty()) {
          producerByValue.put(out, n);
        }
      }
      for (String in : new LinkedHashSet<>(n.inputs())) {
        if (!in.isEmpty()) {
          consumersByValue.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
  }

  public String name() {
    return name;
  }

  public String docString() {
    return docString;
  }

  /** Nodes in topological order. */
  public List<Node> nodes() {
    return nodes;
  }

  /** Declared graph inputs, including initializers listed as inputs (IR version 3 and older). */
  public List<ValueInfo> inputs() {
    return inputs;
  }

  /** The inputs a caller must feed: declared inputs that no initializer backs. */
  public List<ValueInfo> realInputs() {
    List<ValueInfo> r = realInputs;
    if (r == null) {
      // computed once: a session checks its inputs against them on every run
      r = inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
      realInputs = r;
    }
    return r;
  }

  private volatile List<ValueInfo> realInputs;

  public List<ValueInfo> outputs() {
    return outputs;
  }

  public Map<String, Tensor> initializers() {
    return initializers;
  }

  public List<ValueInfo> valueInfos() {
    return valueInfos;
  }

  public List<Opaque> sparseInitializers() {
    return sparseInitializers;
  }

  public List<QuantAnnotation> quantAnnotations() {
    return quantAnnotations;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** Names this graph reads but does not define: values of enclosing graphs. */
  public Set<String> freeVariables() {
    return freeVariables;
  }

  public Optional<Node> findNode(String nodeName) {
    return Optional.ofNullable(nodeByName.get(nodeName));
  }

  public Node node(String nodeName) {
    Node n = nodeByName.get(nodeName);
    if (n == null) {
      throw new OctetException("graph '" + name + "' has no node named '" + nodeName + "'");
    }
    return n;
  }

  /** The node that produces {@code value}; empty for inputs, initializers and unknown names. */
  public Optional<Node> producer(String value) {
    return Optional.ofNullable(producerByValue.get(value));
  }

  /** Nodes that read {@code value} directly, in topological order. */
  public List<Node> consumers(String value) {
    return Collections.unmodifiableList(consumersByValue.getOrDefault(value, List.of()));
  }

  /** Whether {@code value} is a graph output. */
  public boolean isOutput(String value) {
    return outputs.stream().anyMatch(o -> o.name().equals(value));
  }

  /** The constant tensor behind {@code value}: an initializer, or the output of a Constant node. */
  public Optional<Tensor> constant(String value) {
    Tensor t = initializers.get(value);
    if (t != null) {
      return Optional.of(t);
    }
    Node p = producerByValue.get(value);
    if (p != null && p.domain().isEmpty() && p.opType().equals("Constant")) {
      return Optional.of(Constants.valueOf(p));
    }
    return Optional.empty();
  }

  /** The declared type of {@code value} among inputs, outputs and value infos. */
  public Optional<ValueInfo> valueInfo(String value) {
    for (List<ValueInfo> list : List.of(inputs, outputs, valueInfos)) {
      for (ValueInfo v : list) {
        if (v.name().equals(value)) {
          return Optional.of(v);
        }
      }
    }
    return Optional.empty();
  }

  /** The subgraphs held by node attributes, directly (not recursively). */
  public static List<Graph> subgraphs(Node node) {
    List<Graph> out = new ArrayList<>();
    for (AttributeValue v : node.attributes().asMap().values()) {
      if (v instanceof AttributeValue.GraphValue g) {
        out.add(g.value());
      } else if (v instanceof AttributeValue.GraphsValue gs) {
        out.addAll(gs.value());
      }
    }
    return out;
  }

  /** A GraphEditor holding a copy of this graph. */
  public GraphEditor edit() {
    return new GraphEditor(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Graph g
        && g.name.equals(name)
        && g.docString.equals(docString)
        && g.nodes.equals(nodes)
        && g.inputs.equals(inputs)
        && g.outputs.equals(outputs)
        && g.initializers.equals(initializers)
        && g.valueInfos.equals(valueInfos)
        && g.sparseInitializers.equals(sparseInitializers)
        && g.quantAnnotations.equals(quantAnnotations)
        && g.metadata.equals(metadata);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + nodes.hashCode();
  }

  @Override
  public String toString() {
    return "Graph("
        + name
        + ", "
        + nodes.size()
        + " nodes, "
        + initializers.size()
        + " initializers)";
  }
}
