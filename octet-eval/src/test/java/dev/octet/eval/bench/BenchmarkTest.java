package dev.octet.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.core.Tensor;
import dev.octet.eval.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The order in which engines take their timed runs, strictly alternating or in blocks, and the
 * untimed runs that start a turn.
 */
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

  /** The runs after warm-up, on a clock that advances 1 ms each time it is read. */
  private static String timedOrder(int iterations, int block, long settleMillis, int settleRuns) {
    List<String> log = new ArrayList<>();
    List<Engine> engines = List.of(new Logging("a", log), new Logging("b", log));
    long[] now = {0};
    List<Benchmark.Result> r =
        Benchmark.run(
            engines, Map.of(), 1, 0, iterations, block, settleMillis, () -> now[0] += 1_000_000L);
    assertEquals(iterations, r.get(0).millis().length);
    assertEquals(iterations, r.get(1).millis().length);
    // every timed run reads the clock twice: 1 ms apart
    assertEquals(1.0, r.get(0).median());
    int switches = 2 * ((iterations + block - 1) / block) - ((iterations + block - 1) / block - 1);
    return String.join(
        "", log.subList(log.size() - 2 * iterations - switches * settleRuns, log.size()));
  }

  @Test
  void enginesTakeTurnsRunByRunOrInBlocksWithTheOrderRotating() {
    assertEquals("abbaab", timedOrder(3, 1, 0, 0));
    assertEquals("aaabbbbbbaaaab", timedOrder(7, 3, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> timedOrder(3, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> timedOrder(3, 1, -1, 0));
  }

  @Test
  void severalEnginesOnSeveralThreadsTakeTurnsAfterSettling() {
    assertEquals(new Benchmark.Turns(10, 100), Benchmark.Turns.of(2, 2, 10));
    assertEquals(new Benchmark.Turns(1, 0), Benchmark.Turns.of(1, 4, 10));
    assertEquals(new Benchmark.Turns(1, 0), Benchmark.Turns.of(8, 1, 10));
  }

  @Test
  void aTurnThatFollowsAnotherEngineStartsWithUntimedRunsForTheSettleTime() {
    // two untimed runs (2 ms on the test clock) where the engine changes; none where a turn
    // follows the same engine's (b, b and a, a at the rounds' boundaries)
    assertEquals("aaabbbbaaaabbb", timedOrder(3, 1, 2, 2));
    assertEquals("aaaaabbbbbbbbaaaaaabbb", timedOrder(7, 3, 2, 2));
  }
}
