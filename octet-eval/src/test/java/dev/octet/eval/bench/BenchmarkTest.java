package dev.octet.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.eval.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The order in which engines take their timed runs, strictly alternating or in blocks, the untimed
 * runs that start a turn, and how long warm-up lasts.
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
                engines,
                Map.of(),
                1,
                0,
                iterations,
                block,
                settleMillis,
                true,
                () -> now[0] += 1_000_000L,
                () -> 0)
            .results();
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

  /**
   * Warm-up on a clock that advances 100 ms per round (one engine, read once per round) and a JIT
   * compiler that worked {@code jitPerRound} ms in each of the first {@code busyRounds} rounds.
   */
  private static Benchmark.Warmup warmup(int rounds, int busyRounds, long jitPerRound) {
    return warmup(rounds, busyRounds, jitPerRound, true);
  }

  private static Benchmark.Warmup warmup(
      int rounds, int busyRounds, long jitPerRound, boolean waitForJit) {
    List<String> log = new ArrayList<>();
    long[] now = {0};
    return Benchmark.run(
            List.of(new Logging("a", log)),
            Map.of(),
            1,
            rounds,
            1,
            1,
            0,
            waitForJit,
            () -> now[0] += 100_000_000L,
            () -> Math.min(log.size(), busyRounds) * jitPerRound)
        .warmup();
  }

  @Test
  void warmUpGoesOnUntilTheJitCompilerHasBeenQuietForFiveSeconds() {
    // quiet from the start: 5 s (50 rounds), or the rounds asked for if more
    Benchmark.Warmup idle = warmup(5, 0, 0);
    assertEquals(50, idle.rounds());
    assertTrue(idle.jitQuiet());
    assertEquals(65, warmup(65, 0, 0).rounds());
    // busy for 55 rounds: quiet over the five 1 s samples after round 60, at round 110
    Benchmark.Warmup busy = warmup(5, 55, 50);
    assertEquals(110, busy.rounds());
    assertTrue(busy.jitQuiet());
    // 1 ms per 100 ms round counts as quiet (at most 2%); 3 ms does not
    assertEquals(50, warmup(5, 1_000, 1).rounds());
    Benchmark.Warmup never = warmup(5, Integer.MAX_VALUE, 3);
    assertFalse(never.jitQuiet());
    assertEquals(1_200, never.rounds());
    assertEquals(120.0, never.seconds(), 1e-9);
    // not waiting: 1.5 s (15 rounds) or the rounds asked for, however busy the JIT compiler
    assertEquals(15, warmup(5, Integer.MAX_VALUE, 50, false).rounds());
    assertEquals(30, warmup(30, Integer.MAX_VALUE, 50, false).rounds());
  }

  @Test
  void roundRatiosCompareEachRoundWithItselfSoThatADriftInSpeedCancels() {
    // a is 10% slower than b in every run of the same phase; the machine slows threefold during
    // round 1, between b's run and a's, and stays slow
    Benchmark.Result a = new Benchmark.Result("a", new double[] {1.1, 3.3, 3.3, 3.3}, 1);
    Benchmark.Result b = new Benchmark.Result("b", new double[] {1.0, 1.0, 3.0, 3.0}, 1);
    // the overall medians (the lower middle of four) fall in different phases: 3.3 against 1.0
    assertEquals(3.3, a.median() / b.median(), 1e-12);
    // round by round: 1.1, 3.3, 1.1, 1.1
    Benchmark.RoundRatios r = Benchmark.roundRatios(a, b, 1);
    assertEquals(4, r.rounds());
    assertEquals(1.1, r.median(), 1e-12);
    assertEquals(1.1, r.q1(), 1e-12);
    assertEquals(1.1, r.q3(), 1e-12);
    assertEquals(3.3, Benchmark.roundRatios(a, b, 4).median(), 1e-12);
    // rounds of two runs: each round's median against the other engine's in the same round; an
    // outlier run does not move its round's median
    Benchmark.Result c = new Benchmark.Result("c", new double[] {1.2, 1.2, 3.6, 9.9, 3.6}, 1);
    Benchmark.Result d = new Benchmark.Result("d", new double[] {1.0, 1.0, 3.0, 3.0, 3.0}, 1);
    Benchmark.RoundRatios blocks = Benchmark.roundRatios(c, d, 2);
    assertEquals(3, blocks.rounds());
    assertEquals(1.2, blocks.median(), 1e-12);
    assertEquals(1.0, Benchmark.roundRatios(d, d, 2).median(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Benchmark.roundRatios(a, b, 0));
    assertThrows(IllegalArgumentException.class, () -> Benchmark.roundRatios(a, c, 1));
  }
}
