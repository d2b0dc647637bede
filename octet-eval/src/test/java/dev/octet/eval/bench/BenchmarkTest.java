package dev.octet.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.core.Tensor;
import dev.octet.eval.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order in which engines take their timed runs, strictly alternating or in blocks. */
class BenchmarkTest {
  /** Records its name in a shared log on every run. */
  private record Logging(String name, List<String> log) implements Engine {
    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
      log.add(name);
      return Map.of();
    }

    @Override
    public void close() {}
  }

  private static String timedOrder(int iterations, int block) {
    List<String> log = new ArrayList<>();
    List<Engine> engines = List.of(new Logging("a", log), new Logging("b", log));
    // warm-up lasts at least 1.5 s; only the log's tail is the timed part
    List<Benchmark.Result> r = Benchmark.run(engines, Map.of(), 1, 0, iterations, block);
    assertEquals(iterations, r.get(0).millis().length);
    assertEquals(iterations, r.get(1).millis().length);
    return String.join("", log.subList(log.size() - 2 * iterations, log.size()));
  }

  @Test
  void enginesTakeTurnsRunByRunOrInBlocksWithTheOrderRotating() {
    assertEquals("abbaab", timedOrder(3, 1));
    assertEquals("aaabbbbbbaaaab", timedOrder(7, 3));
    assertThrows(IllegalArgumentException.class, () -> timedOrder(3, 0));
  }
}
