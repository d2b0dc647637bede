package dev.octet.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.octet.core.OctetException;
import dev.octet.runtime.Profiler;
import dev.octet.runtime.Profiler.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one engine's time goes in a typical run, per op type and per node: from Octet's {@link
 * Profiler} or from ONNX Runtime's own profiling trace, so that both are read the same way side by
 * side. Each node's time is its median call's ({@link Profiler.Calls#typical}: nanos / runs is a
 * typical run's time in it), so a few slow runs on a busy machine do not move it; an op type's is
 * the sum of its nodes'.
 *
 * @param totalNanos the sum over all nodes (not counting time between them)
 */
public record Profile(int runs, long totalNanos, List<Entry> opTypes, List<Entry> nodes) {
  /** What Octet's profiler collected. */
  public static Profile of(Profiler p) {
    return of(p.runs(), p.typicalNodes());
  }

  private static Profile of(int runs, List<Entry> nodes) {
    long total = nodes.stream().mapToLong(Entry::nanos).sum();
    return new Profile(runs, total, Profiler.byOpType(nodes), Profiler.mostTimeFirst(nodes));
  }

  /**
   * Reads ONNX Runtime's profiling trace (Chrome trace JSON, one {@code model_run} event per run
   * and one {@code <node>_kernel_time} event per node execution) and keeps the runs after the first
   * {@code skipRuns}, which were warm-up.
   */
  public static Profile ofOrtTrace(Path trace, int skipRuns) {
    JsonNode events;
    try {
      events = new ObjectMapper().readTree(trace.toFile());
    } catch (IOException e) {
      throw new OctetException("cannot read ONNX Runtime's profile " + trace + ": " + e, e);
    }
    List<Long> runStarts = new ArrayList<>();
    for (JsonNode e : events) {
      if ("model_run".equals(e.path("name").asText())) {
        runStarts.add(e.path("ts").asLong());
      }
    }
    runStarts.sort(null);
    if (runStarts.size() <= skipRuns) {
      throw new OctetException(
          "ONNX Runtime's profile "
              + trace
              + " holds "
              + runStarts.size()
              + " runs, not more than "
              + skipRuns);
    }
    long from = runStarts.get(skipRuns);
    Map<String, Profiler.Calls> byNode = new LinkedHashMap<>();
    for (JsonNode e : events) {
      String name = e.path("name").asText();
      if (!"Node".equals(e.path("cat").asText())
          || !name.endsWith("_kernel_time")
          || e.path("ts").asLong() < from) {
        continue;
      }
      String node = name.substring(0, name.length() - "_kernel_time".length());
      String op = e.path("args").path("op_name").asText("?");
      byNode
          .computeIfAbsent(node, k -> new Profiler.Calls(k, op))
          .add(1000 * e.path("dur").asLong());
    }
    List<Entry> nodes = byNode.values().stream().map(Profiler.Calls::typical).toList();
    return of(runStarts.size() - skipRuns, nodes);
  }
}
