package dev.octet.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.core.OctetException;
import dev.octet.runtime.Profiler.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's profiling trace read as a typical run: warm-up runs skipped, each node's median
 * call (a slow run does not move it), op types summed over their nodes.
 */
class ProfileTest {
  private static String run(long ts) {
    return "{\"cat\":\"Session\",\"name\":\"model_run\",\"ts\":" + ts + ",\"dur\":100}";
  }

  private static String node(String name, String op, long ts, long dur) {
    return "{\"cat\":\"Node\",\"name\":\""
        + name
        + "_kernel_time\",\"ts\":"
        + ts
        + ",\"dur\":"
        + dur
        + ",\"args\":{\"op_name\":\""
        + op
        + "\"}}";
  }

  @Test
  void nodesAreTheirMedianCallAfterTheWarmUp(@TempDir Path dir) throws Exception {
    List<String> events = new ArrayList<>();
    // run 0 is warm-up (its 500 us conv is skipped); in runs 1-3 the conv takes 10, 12 and 90 us
    long[] conv = {500, 10, 12, 90};
    long[] relu = {50, 3, 2, 2};
    for (int r = 0; r < 4; r++) {
      long ts = 1000L * r;
      events.add(run(ts));
      events.add(node("conv", "Conv", ts + 1, conv[r]));
      events.add(node("relu", "Relu", ts + 20, relu[r]));
      events.add(node("conv2", "Conv", ts + 30, 4));
    }
    Path trace = dir.resolve("trace.json");
    Files.writeString(trace, "[" + String.join(",", events) + "]");
    Profile p = Profile.ofOrtTrace(trace, 1);
    assertEquals(3, p.runs());
    List<Entry> nodes = p.nodes();
    assertEquals(new Entry("conv", "Conv", 3 * 12_000, 3), nodes.get(0));
    assertEquals(new Entry("conv2", "Conv", 3 * 4_000, 3), nodes.get(1));
    assertEquals(new Entry("relu", "Relu", 3 * 2_000, 3), nodes.get(2));
    assertEquals(new Entry("Conv", "Conv", 3 * 16_000, 6), p.opTypes().get(0));
    assertEquals(3 * 18_000, p.totalNanos());
  }

  @Test
  void aTraceWithOnlyWarmUpRunsIsAnError(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace.json");
    Files.writeString(trace, "[" + run(0) + "," + node("conv", "Conv", 1, 5) + "]");
    assertThrows(OctetException.class, () -> Profile.ofOrtTrace(trace, 1));
  }
}
