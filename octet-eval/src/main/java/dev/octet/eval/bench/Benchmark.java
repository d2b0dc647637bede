package dev.octet.eval.bench;

import dev.octet.core.Tensor;
import dev.octet.eval.engine.Engine;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Times several engines on the same inputs in one JVM. Iterations are interleaved (engine order
 * rotates every round) so that a noisy neighbour slows every engine alike; warm-up rounds run first
 * and are not counted, and go on until the JIT compiler is quiet. Compare engines by their ratio,
 * not by absolute times.
 */
public final class Benchmark {
  private Benchmark() {}

  /** Latencies of one engine, in milliseconds. */
  public record Result(String engine, double[] millis, int batch) {
    public double median() {
      return percentile(50);
    }

    public double p90() {
      return percentile(90);
    }

    /** Samples (batch items) per second at the median latency. */
    public double throughput() {
      return batch * 1000.0 / median();
    }

    public double percentile(double p) {
      return Benchmark.percentile(millis, 0, millis.length, p);
    }
  }

  /**
   * The p-th percentile of values[from, to) (nearest rank; the median of an even count is the lower
   * middle).
   */
  static double percentile(double[] values, int from, int to, double p) {
    double[] s = Arrays.copyOfRange(values, from, to);
    Arrays.sort(s);
    int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, i))];
  }

  /**
   * How warm-up ended: its rounds and seconds, whether the JIT compiler was quiet by then (else it
   * stopped at {@link #MAX_WARMUP_NANOS}), and the milliseconds the JIT compiler worked during the
   * timed runs (a few: the times are of compiled code; many: some runs shared the cores with it).
   */
  public record Warmup(int rounds, double seconds, boolean jitQuiet, long jitMillisTimed) {}

  /**
   * One engine's time over another's, round by round: in each round of timed runs (one turn of each
   * engine, a block of runs apart at most), the median of the engine's runs over the median of the
   * other's; then the median and quartiles of those ratios over the rounds. Unlike the ratio of the
   * two overall medians, a change in the machine's speed that outlasts a round (another tenant's
   * job starting or stopping) slows both sides of a round's ratio alike.
   */
  public record RoundRatios(double median, double q1, double q3, int rounds) {}

  /**
   * The {@link RoundRatios} of {@code engine} against {@code base}, both from one {@link #run}
   * whose rounds were {@code block} runs long.
   */
  public static RoundRatios roundRatios(Result engine, Result base, int block) {
    int n = engine.millis().length;
    if (block < 1 || base.millis().length != n || n == 0) {
      throw new IllegalArgumentException(
          "need the same positive number of runs from one benchmark and a block of at least 1, got "
              + n
              + " and "
              + base.millis().length
              + " runs, block "
              + block);
    }
    int rounds = (n + block - 1) / block;
    double[] ratios = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      int from = r * block;
      int to = Math.min(n, from + block);
      ratios[r] =
          percentile(engine.millis(), from, to, 50) / percentile(base.millis(), from, to, 50);
    }
    return new RoundRatios(
        percentile(ratios, 0, rounds, 50),
        percentile(ratios, 0, rounds, 25),
        percentile(ratios, 0, rounds, 75),
        rounds);
  }

  /** Each engine's latencies, in the order of the engines, and how warm-up ended. */
  public record Outcome(List<Result> results, Warmup warmup) {}

  /**
   * The turns that compare engines fairly: with several engines on several threads, turns of {@code
   * block} runs, each after {@code settleMillis} of untimed runs (see {@link #run}); else strict
   * alternation (one engine's idle threads cannot take a core from the next engine's single
   * thread).
   */
  public record Turns(int block, long settleMillis) {
    public static Turns of(int threads, int engines, int blockWhenContended) {
      return threads > 1 && engines > 1 ? new Turns(blockWhenContended, 100) : new Turns(1, 0);
    }
  }

  /**
   * Warm-up goes on until the JIT compiler has been quiet for this long (it compiled for at most
   * {@link #JIT_QUIET_SHARE} of it), and so lasts at least this long: tiny models reach compiled
   * code before timing too.
   */
  static final long JIT_QUIET_NANOS = 5_000_000_000L;

  /** Warm-up lasts at least this long when it does not wait for the JIT compiler. */
  static final long MIN_WARMUP_NANOS = 1_500_000_000L;

  /** How often warm-up reads the JIT compiler's total time. */
  static final long JIT_SAMPLE_NANOS = 1_000_000_000L;

  static final double JIT_QUIET_SHARE = 0.02;

  /** Warm-up stops here even if the JIT compiler is still busy ({@link Warmup#jitQuiet} false). */
  static final long MAX_WARMUP_NANOS = 120_000_000_000L;

  /**
   * Runs at least {@code warmup} untimed rounds, and on until the JIT compiler has been quiet for 5
   * s (see below) if {@code waitForJit}, else for 1.5 s at least, then {@code iterations} timed
   * runs of each engine, each engine taking {@code block} consecutive timed runs per turn (1:
   * strict alternation), and each turn that follows another engine's starting with untimed runs for
   * at least {@code settleMillis} (at least one run when it is positive).
   *
   * <p>The JIT compiler: Octet's methods that run a few times per inference reach HotSpot's C2
   * compiler only after hundreds of inferences, and C2 then compiles for seconds. On two cores,
   * with two intra-op threads, it takes a core from them: SqueezeNet's runs took 20-30 ms instead
   * of 11 until about 700 runs (12 s) had passed.
   *
   * <p>Settling: with several intra-op threads on a machine with few cores, an engine's idle
   * threads that spin after a run compete with the next engine's runs: ONNX Runtime's spin for
   * 50-90 ms after its last run, and on two cores they slowed Octet's first four or five
   * all-MiniLM-L6-v2 runs (9 ms) of each turn to 14-27 ms.
   */
  public static Outcome run(
      List<Engine> engines,
      Map<String, Tensor> inputs,
      int batch,
      int warmup,
      int iterations,
      int block,
      long settleMillis,
      boolean waitForJit) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    LongSupplier jitMillis =
        jit != null && jit.isCompilationTimeMonitoringSupported()
            ? jit::getTotalCompilationTime
            : () -> 0;
    return run(
        engines,
        inputs,
        batch,
        warmup,
        iterations,
        block,
        settleMillis,
        waitForJit,
        System::nanoTime,
        jitMillis);
  }

  /**
   * As above, with the clock and the JIT compiler's total milliseconds given (tests pass ones that
   * do not depend on the machine).
   */
  static Outcome run(
      List<Engine> engines,
      Map<String, Tensor> inputs,
      int batch,
      int warmup,
      int iterations,
      int block,
      long settleMillis,
      boolean waitForJit,
      LongSupplier clock,
      LongSupplier jitMillis) {
    if (block < 1) {
      throw new IllegalArgumentException("block must be at least 1, got " + block);
    }
    if (settleMillis < 0) {
      throw new IllegalArgumentException("settle time must not be negative, got " + settleMillis);
    }
    Warmup w = warmUp(engines, inputs, warmup, waitForJit, clock, jitMillis);
    long jitBefore = jitMillis.getAsLong();
    double[][] times = new double[engines.size()][iterations];
    int last = engines.size() - 1;
    for (int i0 = 0, round = 0; i0 < iterations; i0 += block, round++) {
      for (int k = 0; k < engines.size(); k++) {
        int e = (round + k) % engines.size();
        Engine engine = engines.get(e);
        if (e != last && settleMillis > 0) {
          long s = clock.getAsLong();
          do {
            engine.run(inputs);
          } while (clock.getAsLong() - s < settleMillis * 1_000_000L);
        }
        last = e;
        for (int i = i0; i < Math.min(iterations, i0 + block); i++) {
          long t0 = clock.getAsLong();
          engine.run(inputs);
          times[e][i] = (clock.getAsLong() - t0) / 1e6;
        }
      }
    }
    List<Result> out = new ArrayList<>();
    for (int e = 0; e < engines.size(); e++) {
      out.add(new Result(engines.get(e).name(), times[e], batch));
    }
    long jitTimed = jitMillis.getAsLong() - jitBefore;
    return new Outcome(out, new Warmup(w.rounds(), w.seconds(), w.jitQuiet(), jitTimed));
  }

  /**
   * Rounds of every engine until {@code rounds} are done and the JIT compiler was quiet over the
   * last 5 s (sampled once a second) or, if not {@code waitForJit}, 1.5 s have passed; or for 120
   * s.
   */
  private static Warmup warmUp(
      List<Engine> engines,
      Map<String, Tensor> inputs,
      int rounds,
      boolean waitForJit,
      LongSupplier clock,
      LongSupplier jitMillis) {
    long start = clock.getAsLong();
    // (time, JIT milliseconds), sampled once a second, those of the last 5 s
    ArrayDeque<long[]> samples = new ArrayDeque<>();
    samples.add(new long[] {start, jitMillis.getAsLong()});
    int done = 0;
    boolean quiet = false;
    long now = start;
    while (now - start < MAX_WARMUP_NANOS) {
      for (Engine e : engines) {
        e.run(inputs);
      }
      done++;
      now = clock.getAsLong();
      if (now - samples.getLast()[0] >= JIT_SAMPLE_NANOS) {
        samples.add(new long[] {now, jitMillis.getAsLong()});
        if (samples.size() > JIT_QUIET_NANOS / JIT_SAMPLE_NANOS + 1) {
          samples.removeFirst();
        }
        long[] first = samples.getFirst();
        long span = now - first[0];
        quiet =
            span >= JIT_QUIET_NANOS
                && samples.getLast()[1] - first[1] <= JIT_QUIET_SHARE * span / 1e6;
      }
      if (done >= rounds && (waitForJit ? quiet : now - start >= MIN_WARMUP_NANOS)) {
        break;
      }
    }
    return new Warmup(done, (now - start) / 1e9, quiet, 0);
  }
}
