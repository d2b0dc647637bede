package dev.octet.bench;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link GemmBenchmark} and prints GFLOP/s (SGEMM) and GOP/s (the exact 8-bit GEMM) per shape
 * and their share of the FP32 FMA peak measured in the same run. Usage: {@code java -jar
 * octet-bench/target/benchmarks.jar [jmh regex]}.
 */
public final class GemmReport {
  private GemmReport() {}

  public static void main(String[] args) throws RunnerException {
    Options opts =
        new OptionsBuilder()
            .include(args.length > 0 ? args[0] : GemmBenchmark.class.getSimpleName())
            .build();
    Collection<RunResult> results = new Runner(opts).run();
    double peak = 0;
    for (RunResult r : results) {
      if (r.getParams().getBenchmark().endsWith("fmaPeak")) {
        double us = r.getPrimaryResult().getScore();
        peak = GemmBenchmark.PEAK_FLOP / (us * 1e3);
      }
    }
    System.out.printf("%nFP32 FMA peak of one core, measured: %.1f GFLOP/s%n", peak);
    System.out.printf(
        "%-8s %-16s %10s %10s %8s%n", "kernel", "shape MxNxK", "us/call", "G(FL)OP/s", "of peak");
    for (RunResult r : results) {
      String bench = r.getParams().getBenchmark();
      String kernel = bench.substring(bench.lastIndexOf('.') + 1);
      if (!kernel.equals("sgemm") && !kernel.equals("igemm")) {
        continue;
      }
      String shape = r.getParams().getParam("shape");
      String[] p = shape.split("x");
      double flop = 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
      double us = r.getPrimaryResult().getScore();
      double gflops = flop / (us * 1e3);
      System.out.printf(
          "%-8s %-16s %10.1f %10.1f %7.0f%%%n",
          kernel, shape, us, gflops, peak > 0 ? 100 * gflops / peak : Double.NaN);
    }
  }
}
