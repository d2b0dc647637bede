package dev.octet.runtime;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a session's time goes, per planned node and per op type: pass it as the {@link
 * ValueListener} of {@link Session#run} after {@link #begin()}. A node is charged the wall time
 * from the previous node's last output to its own first output (so the listener's own cost is in
 * it, which is small next to a kernel). Nodes are the planned ones: a fused Conv+Relu is one {@code
 * com.octet.FusedConv}. Not thread-safe: one profiler per running thread.
 */
public final class Profiler implements ValueListener {
  /** Total time and call count of one node or op type. */
  public record Entry(String name, String opType, long nanos, int calls) {
    /** This entry with the other's time and calls added (the name and op type stay). */
    public Entry plus(Entry other) {
      return new Entry(name, opType, nanos + other.nanos, calls + other.calls);
    }
  }

  private final Map<Node, Entry> byNode = new LinkedHashMap<>();
  private long last;
  private Node lastNode;
  private int runs;

  /** Marks the start of one {@link Session#run}; call it just before each run. */
  public void begin() {
    runs++;
    lastNode = null;
    last = System.nanoTime();
  }

  @Override
  public void onValue(String name, Node producer, Tensor value) {
    if (producer == lastNode) {
      return; // a further output of the same node
    }
    long now = System.nanoTime();
    byNode.merge(
        producer,
        new Entry(producer.name(), producer.qualifiedOpType(), now - last, 1),
        Entry::plus);
    lastNode = producer;
    last = now;
  }

  /** How many runs were profiled. */
  public int runs() {
    return runs;
  }

  /** Every node, most time first. */
  public List<Entry> nodes() {
    return mostTimeFirst(byNode.values());
  }

  /** Time summed per op type (name = op type, calls = node executions), most time first. */
  public List<Entry> opTypes() {
    return byOpType(byNode.values());
  }

  /** Node entries summed per op type (name = op type), most time first. */
  public static List<Entry> byOpType(Collection<Entry> nodes) {
    Map<String, Entry> sums = new LinkedHashMap<>();
    for (Entry e : nodes) {
      sums.merge(e.opType(), new Entry(e.opType(), e.opType(), e.nanos(), e.calls()), Entry::plus);
    }
    return mostTimeFirst(sums.values());
  }

  /** The entries sorted by time, most first. */
  public static List<Entry> mostTimeFirst(Collection<Entry> entries) {
    List<Entry> list = new ArrayList<>(entries);
    list.sort(Comparator.comparingLong(Entry::nanos).reversed());
    return list;
  }

  /** Sum over all nodes, in nanoseconds. */
  public long totalNanos() {
    return byNode.values().stream().mapToLong(Entry::nanos).sum();
  }
}
