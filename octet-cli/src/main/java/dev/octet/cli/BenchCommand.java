package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.AtomicFiles;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.eval.bench.Benchmark;
import dev.octet.eval.bench.Profile;
import dev.octet.eval.bench.RandomInputs;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import dev.octet.runtime.Profiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code octet bench MODEL [--engine octet|ort|both] [--batch N] [--threads N] [--seq N]}. */
@Command(
    name = "bench",
    description =
        "Time engines side by side in one JVM (interleaved, after warm-up) and print their ratio.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      arity = "1..*",
      description = "one or more models (e.g. FP32 and INT8)")
  List<Path> models;

  @Option(
      names = "--engine",
      defaultValue = "both",
      description = "octet, ort or both (default: ${DEFAULT-VALUE})")
  String engine;

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description =
          "untimed rounds before timing, at least (default: ${DEFAULT-VALUE}); warm-up goes on"
              + " until the JIT compiler has been quiet for 5 s, or for 120 s at most")
  int warmup;

  @Option(
      names = "--jit-wait",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "go on warming up until the JIT compiler has been quiet for 5 s (default); --no-jit-wait:"
              + " stop after --warmup rounds and 1.5 s, a quick look whose times may include"
              + " compiling")
  boolean jitWait;

  @Option(names = "--iterations", defaultValue = "50")
  int iterations;

  @Option(
      names = "--block",
      description =
          "timed runs each engine makes per turn (default: 10 when several engines run on"
              + " several threads, else 1, strict alternation)")
  Integer block;

  @Option(
      names = "--settle",
      paramLabel = "MS",
      description =
          "untimed runs for at least MS milliseconds at the start of each turn that follows"
              + " another engine's (default: 100 when several engines run on several threads,"
              + " else 0): ONNX Runtime's idle threads spin for 50-90 ms after its runs and, on"
              + " a machine with as many cores as threads, slow the next engine's runs")
  Long settle;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(
      names = "--profile",
      description =
          "after timing, run each engine again with a profiler (Octet's own, or ONNX Runtime's"
              + " built-in one) and print where a typical run's time goes (each node's median"
              + " call): per op type and the slowest nodes")
  boolean profile;

  @Option(
      names = "--times",
      paramLabel = "FILE",
      description =
          "also write every timed run's milliseconds as CSV (run, then one column per engine, in"
              + " the order they ran): slow phases that last seconds, and which engine they hit,"
              + " show there and not in a median")
  Path times;

  @Mixin InputSizing sizing;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    List<String> names =
        switch (engine) {
          case "both" -> List.of("octet", "ort");
          case "octet", "ort" -> List.of(engine);
          default -> throw new OctetException("--engine must be octet, ort or both");
        };
    if (iterations < 1 || warmup < 0) {
      throw new OctetException(
          "--iterations must be at least 1 and --warmup at least 0, got "
              + iterations
              + " and "
              + warmup);
    }
    if ((block != null && block < 1) || (settle != null && settle < 0)) {
      throw new OctetException(
          "--block must be at least 1 and --settle at least 0, got " + block + " and " + settle);
    }
    PrintWriter w = spec.commandLine().getOut();
    List<Engine> engines = new ArrayList<>();
    List<Model> modelOf = new ArrayList<>();
    Map<String, Tensor> inputs = null;
    try {
      for (Path p : models) {
        Model m = OnnxModels.load(p);
        Map<String, Tensor> in =
            RandomInputs.of(m.graph(), seed, sizing.batch, sizing.seq, sizing.dims);
        inputs = inputs == null ? in : inputs;
        for (String n : names) {
          engines.add(
              new LabelledEngine(
                  Engine.open(n, m, sizing.threads),
                  n + (models.size() > 1 ? ":" + p.getFileName() : "")));
          modelOf.add(m);
        }
      }
      Benchmark.Turns turns = Benchmark.Turns.of(sizing.threads, engines.size(), 10);
      int block = this.block != null ? this.block : turns.block();
      long settle = this.settle != null ? this.settle : turns.settleMillis();
      Benchmark.Outcome outcome =
          Benchmark.run(engines, inputs, sizing.batch, warmup, iterations, block, settle, jitWait);
      List<Benchmark.Result> results = outcome.results();
      if (times != null) {
        writeTimes(times, results, iterations);
      }
      StringBuilder shapes = new StringBuilder();
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        shapes.append(shapes.isEmpty() ? "" : ", ").append(e.getKey());
        shapes.append(Arrays.toString(e.getValue().shape()));
      }
      Benchmark.Warmup wu = outcome.warmup();
      w.printf(
          "inputs %s; %d thread(s), %d warm-up rounds (%.1f s, %s) + %d timed rounds,"
              + " interleaved%s%s%n",
          shapes,
          sizing.threads,
          wu.rounds(),
          wu.seconds(),
          !jitWait
              ? "not waiting for the JIT compiler"
              : wu.jitQuiet()
                  ? "until the JIT compiler was quiet"
                  : "the JIT compiler still busy: the times include compiling",
          iterations,
          block == 1 ? "" : " in blocks of " + block,
          settle == 0 ? "" : ", each turn after " + settle + " ms of untimed runs");
      w.printf(
          "%-40s %10s %10s %12s %8s %20s%n",
          "engine", "median ms", "p90 ms", "items/s", "ratio", "by round (Q1-Q3)");
      Benchmark.Result last = results.get(results.size() - 1);
      int roundCount = 0;
      for (Benchmark.Result r : results) {
        Benchmark.RoundRatios rounds = Benchmark.roundRatios(r, last, block);
        roundCount = rounds.rounds();
        w.printf(
            "%-40s %10.3f %10.3f %12.1f %8.3f %8.3f (%.3f-%.3f)%n",
            r.engine(),
            r.median(),
            r.p90(),
            r.throughput(),
            r.median() / last.median(),
            rounds.median(),
            rounds.q1(),
            rounds.q3());
      }
      w.println("ratio = median time / median time of the last row (below 1: faster than it)");
      w.printf(
          "by round = median over the %d rounds of (this row's median / the last row's median in"
              + " the round): steadier when the machine's speed drifts%n",
          roundCount);
      w.printf("JIT compiler during the timed runs: %d ms%n", wu.jitMillisTimed());
      if (profile) {
        for (int i = 0; i < engines.size(); i++) {
          Engine e = engines.get(i);
          Profile p =
              ((LabelledEngine) e).inner() instanceof OctetEngine octet
                  ? octetProfile(octet, inputs)
                  : ortProfile(modelOf.get(i), inputs);
          printProfile(w, e.name(), p);
        }
      }
    } finally {
      engines.forEach(Engine::close);
    }
    w.flush();
    return 0;
  }

  private Profile octetProfile(OctetEngine octet, Map<String, Tensor> in) {
    Profiler p = new Profiler();
    for (int i = 0; i < iterations; i++) {
      p.begin();
      octet.session().run(in, p);
    }
    return Profile.of(p);
  }

  /** ONNX Runtime's own profile, from a second session that records its warm-up and timed runs. */
  private Profile ortProfile(Model m, Map<String, Tensor> in) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("octet-ort-profile");
      Path trace;
      try (OrtEngine ort = OrtEngine.profiling(m, sizing.threads, dir.resolve("ort"))) {
        for (int i = 0; i < warmup + iterations; i++) {
          ort.run(in);
        }
        trace = ort.endProfiling();
      }
      return Profile.ofOrtTrace(trace, warmup);
    } catch (IOException e) {
      throw new OctetException("cannot write ONNX Runtime's profile: " + e.getMessage(), e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a leftover trace in the temp folder is harmless
    }
  }

  private static void printProfile(PrintWriter w, String label, Profile p) {
    double total = p.totalNanos() / 1e6 / p.runs();
    w.printf(
        "%nprofile of %s: %.3f ms in its nodes in a typical run (each node's median call, over"
            + " %d runs)%n",
        label, total, p.runs());
    w.printf("%-34s %8s %12s %7s%n", "op type", "nodes", "ms per run", "share");
    for (Profiler.Entry e : p.opTypes()) {
      double ms = e.nanos() / 1e6 / p.runs();
      w.printf("%-34s %8d %12.3f %6.1f%%%n", e.name(), e.calls() / p.runs(), ms, 100 * ms / total);
    }
    w.printf("%-34s %-22s %10s %7s%n", "slowest nodes", "op type", "ms per run", "share");
    for (Profiler.Entry e : p.nodes().stream().limit(15).toList()) {
      double ms = e.nanos() / 1e6 / p.runs();
      w.printf("%-34s %-22s %10.3f %6.1f%%%n", e.name(), e.opType(), ms, 100 * ms / total);
    }
  }

  /** An engine shown under another name (engine and model). */
  private record LabelledEngine(Engine inner, String label) implements Engine {
    public String name() {
      return label;
    }

    public Map<String, Tensor> run(Map<String, Tensor> in) {
      return inner.run(in);
    }

    public void close() {
      inner.close();
    }
  }

  /** The timed runs as CSV, written whole or not at all. */
  static void writeTimes(Path file, List<Benchmark.Result> results, int iterations) {
    StringBuilder csv = new StringBuilder("run");
    for (Benchmark.Result r : results) {
      csv.append(',').append(r.engine());
    }
    csv.append('\n');
    for (int i = 0; i < iterations; i++) {
      csv.append(i);
      for (Benchmark.Result r : results) {
        csv.append(',').append(String.format(java.util.Locale.ROOT, "%.4f", r.millis()[i]));
      }
      csv.append('\n');
    }
    AtomicFiles.write(file, csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
