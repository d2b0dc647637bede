package dev.octet.core.graph;

import dev.octet.core.OctetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Single assignment, stable topological sort and reference checks for {@link GraphEditor#freeze()}.
 * The sort keeps the given order wherever dependencies allow (Kahn's algorithm, ties broken by the
 * original index), so an already sorted graph is unchanged.
 */
final class GraphValidator {
  private GraphValidator() {}

  record Result(List<Node> sortedNodes, Set<String> freeVariables) {}

  static Result validate(
      String graphName,
      List<Node> nodes,
      List<ValueInfo> inputs,
      List<ValueInfo> outputs,
      Set<String> initializers) {
    String where = "graph '" + graphName + "'";
    // Values defined without a node: graph inputs and initializers (which may coincide).
    Set<String> sources = new HashSet<>(initializers);
    Set<String> inputNames = new HashSet<>();
    for (ValueInfo in : inputs) {
      if (!inputNames.add(in.name())) {
        throw new OctetException(where + ": input '" + in.name() + "' is declared twice");
      }
      sources.add(in.name());
    }
    Map<String, Integer> producer = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      for (String out : n.outputs()) {
        if (out.isEmpty()) {
          continue;
        }
        if (sources.contains(out)) {
          throw new OctetException(
              where
                  + ": "
                  + n.describe()
                  + " writes '"
                  + out
                  + "', which is already a graph input or initializer (values are assigned once)");
        }
        Integer prev = producer.putIfAbsent(out, i);
        if (prev != null) {
          throw new OctetException(
              where
                  + ": value '"
                  + out
                  + "' is written by both "
                  + nodes.get(prev).describe()
                  + " and "
                  + n.describe()
                  + " (values are assigned once)");
        }
      }
    }

    Set<String> free = new LinkedHashSet<>();
    List<List<Integer>> dependents = new ArrayList<>(nodes.size());
    int[] pending = new int[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      dependents.add(new ArrayList<>());
    }
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      Set<String> reads = new LinkedHashSet<>(n.inputs());
      for (Graph sub : Graph.subgraphs(n)) {
        reads.addAll(sub.freeVariables());
      }
      Set<Integer> deps = new HashSet<>();
      for (String in : reads) {
        if (in.isEmpty() || sources.contains(in)) {
          continue;
        }
        Integer p = producer.get(in);
        if (p == null) {
          free.add(in);
        } else if (p == i) {
          throw new OctetException(
              where + ": " + n.describe() + " reads its own output '" + in + "'");
        } else if (deps.add(p)) {
          dependents.get(p).add(i);
          pending[i]++;
        }
      }
    }
    for (ValueInfo out : outputs) {
      if (!sources.contains(out.name()) && !producer.containsKey(out.name())) {
        free.add(out.name());
      }
    }

    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<Node> sorted = new ArrayList<>(nodes.size());
    while (!ready.isEmpty()) {
      int i = ready.poll();
      sorted.add(nodes.get(i));
      for (int d : dependents.get(i)) {
        if (--pending[d] == 0) {
          ready.add(d);
        }
      }
    }
    if (sorted.size() != nodes.size()) {
      List<String> cyclic = new ArrayList<>();
      for (int i = 0; i < nodes.size() && cyclic.size() < 5; i++) {
        if (pending[i] > 0) {
          cyclic.add(nodes.get(i).describe());
        }
      }
      throw new OctetException(
          where + ": the nodes form a cycle; among the nodes on or after it: " + cyclic);
    }
    return new Result(sorted, free);
  }

  static String danglingMessage(
      String graphName, List<Node> nodes, List<ValueInfo> outputs, String missing) {
    String where = "graph '" + graphName + "'";
    for (Node n : nodes) {
      if (n.inputs().contains(missing)) {
        return where
            + ": "
            + n.describe()
            + " reads '"
            + missing
            + "', which no node, graph input or initializer produces";
      }
      for (Graph sub : Graph.subgraphs(n)) {
        if (sub.freeVariables().contains(missing)) {
          return where
              + ": a subgraph of "
              + n.describe()
              + " reads '"
              + missing
              + "', which no enclosing graph defines";
        }
      }
    }
    for (ValueInfo o : outputs) {
      if (o.name().equals(missing)) {
        return where
            + ": output '"
            + missing
            + "' is not produced by any node, input or initializer";
      }
    }
    return where + ": '" + missing + "' is read but never defined";
  }
}
