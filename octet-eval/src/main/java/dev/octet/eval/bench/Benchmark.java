package dev.octet.eval.bench;

import dev.octet.core.Tensor;
import dev.octet.eval.engine.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Times several engines on the same inputs in one JVM. Iterations are interleaved (engine order
 * rotates every round) so that a noisy neighbour slows every engine alike; warm-up rounds run first
 * and are not counted. Compare engines by their ratio, not by absolute times.
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
      double[] s = millis.clone();
      Arrays.sort(s);
      int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }
  }

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

  /** Warm-up lasts at least this long, so that tiny models reach compiled code before timing. */
  static final long MIN_WARMUP_NANOS = 1_500_000_000L;

  /**
   * Runs at least {@code warmup} untimed rounds (more until 1.5 s have passed), then {@code
   * iterations} timed runs of each engine, each engine taking {@code block} consecutive timed runs
   * per turn (1: strict alternation), and each turn that follows another engine's starting with
   * untimed runs for at least {@code settleMillis} (at least one run when it is positive). With
   * several intra-op threads on a machine with few cores, an engine's idle threads that spin after
   * a run compete with the next engine's runs: ONNX Runtime's spin for 50-90 ms after its last run,
   * and on two cores they slowed Octet's first four or five all-MiniLM-L6-v2 runs (9 ms) of each
   * turn to 14-27 ms.
   */
  public static List<Result> run(
      List<Engine> engines,
      Map<String, Tensor> inputs,
      int batch,
      int warmup,
      int iterations,
      int block,
      long settleMillis) {
    return run(engines, inputs, batch, warmup, iterations, block, settleMillis, System::nanoTime);
  }

  /** As above, with the clock given (tests pass one that does not depend on the machine). */
  static List<Result> run(
      List<Engine> engines,
      Map<String, Tensor> inputs,
      int batch,
      int warmup,
      int iterations,
      int block,
      long settleMillis,
      LongSupplier clock) {
    if (block < 1) {
      throw new IllegalArgumentException("block must be at least 1, got " + block);
    }
    if (settleMillis < 0) {
      throw new IllegalArgumentException("settle time must not be negative, got " + settleMillis);
    }
    long start = clock.getAsLong();
    for (int i = 0; i < warmup || clock.getAsLong() - start < MIN_WARMUP_NANOS; i++) {
      for (Engine e : engines) {
        e.run(inputs);
      }
    }
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
    return out;
  }
}
