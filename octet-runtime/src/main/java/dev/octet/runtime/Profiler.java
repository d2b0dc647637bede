package dev.octet.runtime;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Node;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>Every call's time is kept, so a node's time can be read as a total ({@link #nodes()}: a mean
 * per run) or as a typical run's ({@link #typicalNodes()}: the median call, {@link Calls#typical}).
 * On a busy machine a few slow runs (another tenant, a JIT compile, a garbage collection) move the
 * mean: SqueezeNet's profile at two threads summed to 7.2 ms per run where the median run took 5.3.
 */
public final class Profiler implements ValueListener {
  /** Total time and call count of one node or op type. */
  public record Entry(String name, String opType, long nanos, int calls) {
    /** This entry with the other's time and calls added (the name and op type stay). */
    public Entry plus(Entry other) {
      return new Entry(name, opType, nanos + other.nanos, calls + other.calls);
    }
  }

  /**
   * The calls of one node: their durations, in the order they ran, read as a total or as a typical
   * run's time (for Octet's nodes here, and for ONNX Runtime's from its trace).
   */
  public static final class Calls {
    private final String name;
    private final String opType;
    private long[] nanos = new long[64];
    private int count;

    public Calls(String name, String opType) {
      this.name = name;
      this.opType = opType;
    }

    public void add(long t) {
      if (count == nanos.length) {
        nanos = Arrays.copyOf(nanos, 2 * count);
      }
      nanos[count++] = t;
    }

    /** The sum of the calls' times. */
    public Entry total() {
      long sum = 0;
      for (int i = 0; i < count; i++) {
        sum += nanos[i];
      }
      return new Entry(name, opType, sum, count);
    }

    /**
     * The median call's time times the number of calls, so that nanos / runs is a typical run's
     * time in the node.
     */
    public Entry typical() {
      long[] sorted = Arrays.copyOf(nanos, count);
      Arrays.sort(sorted);
      long median = count == 0 ? 0 : sorted[count / 2];
      return new Entry(name, opType, median * count, count);
    }
  }

  private final Map<Node, Calls> byNode = new LinkedHashMap<>();
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
    byNode.computeIfAbsent(producer, n -> new Calls(n.name(), n.qualifiedOpType())).add(now - last);
    lastNode = producer;
    last = now;
  }

  /** How many runs were profiled. */
  public int runs() {
    return runs;
  }

  /** Every node with the total of its calls' times, most time first. */
  public List<Entry> nodes() {
    return mostTimeFirst(byNode.values().stream().map(Calls::total).toList());
  }

  /** Every node with its median call's time times its calls ({@link Calls#typical}). */
  public List<Entry> typicalNodes() {
    return mostTimeFirst(byNode.values().stream().map(Calls::typical).toList());
  }

  /** Time summed per op type (name = op type, calls = node executions), most time first. */
  public List<Entry> opTypes() {
    return byOpType(nodes());
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

  /** Sum over all nodes of their calls' times, in nanoseconds. */
  public long totalNanos() {
    return nodes().stream().mapToLong(Entry::nanos).sum();
  }
}
