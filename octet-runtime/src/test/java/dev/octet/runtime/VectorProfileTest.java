package dev.octet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.testing.SharedData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * SqueezeNet in a JVM whose C2 compiles every method from the JDK's shared profiles alone ({@code
 * -XX:-TieredCompilation}), where a vector kernel whose operations were profiled with two vector
 * shapes keeps its vectors boxed: a 48-byte allocation per operation, SqueezeNet 15-20 times slower
 * (BENCHMARKS.md, sessions 31 and 32). With tiered compilation that happens in about 2% of JVMs, by
 * the order of compilations; this flag makes it happen every time. Octet's 128-bit float vectors
 * therefore never go through FloatVector's shared final methods (only the abstract ones, whose
 * profile is the caller's, and {@code intoMemorySegment} for stores). The test counts bytes
 * allocated per run, not time: boxed kernels allocate about 1.4 GB per run, compiled ones a few MB.
 */
class VectorProfileTest {
  /** Far above a few MB of compiled runs, far below the 1.4 GB of boxed kernels. */
  private static final long MAX_BYTES_PER_RUN = 64L << 20;

  @Test
  void squeezeNetKernelsStayUnboxedWhenCompiledFromSharedProfiles() throws Exception {
    assertFewBytesPerRun(0);
  }

  /**
   * As above after another library's 128-bit vectors went through FloatVector's shared methods
   * (200,000 rounds of add, mul, fma, blend and intoArray): Octet's hottest kernels give their
   * vector operations receivers of an exact type, which need no profile (1,380 MB a run before
   * that, 29 MB after; BENCHMARKS.md session 32).
   */
  @Test
  void squeezeNetKernelsStayUnboxedAfterAnotherLibrarysVectors() throws Exception {
    assertFewBytesPerRun(200_000);
  }

  private static void assertFewBytesPerRun(int pollutionRounds) throws Exception {
    Path model = SharedData.require("models/squeezenet1.0-fp16.onnx");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            java,
            "--add-modules",
            "jdk.incubator.vector",
            "-XX:-TieredCompilation",
            "-Xmx2g",
            "-cp",
            System.getProperty("java.class.path"),
            Probe.class.getName(),
            model.toString(),
            "100",
            "10",
            Integer.toString(pollutionRounds));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try {
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("the probe JVM did not finish in 5 minutes: " + command);
      }
    } finally {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(0, p.exitValue(), out);
    String line =
        out.lines()
            .filter(l -> l.startsWith("bytes per run "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no result from the probe JVM:\n" + out));
    long bytes = Long.parseLong(line.substring("bytes per run ".length()).split(" ")[0]);
    assertTrue(
        bytes < MAX_BYTES_PER_RUN,
        bytes / (1 << 20)
            + " MB allocated per SqueezeNet run: a vector kernel keeps its vectors boxed when"
            + " compiled from shared profiles (see this class's comment)\n"
            + out);
  }

  /** The child JVM: warm-up runs at one thread, then bytes allocated per run over the last ones. */
  public static final class Probe {
    public static void main(String[] args) throws IOException {
      float sink = 0;
      float[] u = new float[64];
      float[] v = new float[64];
      for (int r = Integer.parseInt(args[3]); r > 0; r--) {
        sink += pollute(u, v);
      }
      Model model = Float16ToFloat32.apply(OnnxModels.load(Path.of(args[0])), false);
      int warmUp = Integer.parseInt(args[1]);
      int measured = Integer.parseInt(args[2]);
      float[] x = new float[3 * 224 * 224];
      Random r = new Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextFloat() * 255;
      }
      Map<String, Tensor> in = Map.of("data_0", Tensor.wrap(x, 1, 3, 224, 224));
      var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      try (Session s = Session.create(model, SessionOptions.defaults().withThreads(1))) {
        for (int i = 0; i < warmUp; i++) {
          s.run(in);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < measured; i++) {
          s.run(in);
        }
        long after = threads.getCurrentThreadAllocatedBytes();
        System.out.println("bytes per run " + (after - before) / measured + " (" + sink + ")");
      }
    }

    /** 128-bit vector work through FloatVector's shared final methods, as a library might do. */
    private static float pollute(float[] a, float[] b) {
      VectorSpecies<Float> q = FloatVector.SPECIES_128;
      FloatVector acc = FloatVector.zero(q);
      for (int i = 0; i + 4 <= a.length; i += 4) {
        FloatVector x = FloatVector.fromArray(q, a, i);
        FloatVector y = x.add(FloatVector.fromArray(q, b, i)).mul(2f).add(1f).sub(x);
        acc = x.fma(y, acc);
        y.blend(acc, y.compare(VectorOperators.LE, acc)).intoArray(b, i);
      }
      acc.intoArray(a, 0);
      return a[0];
    }
  }
}
