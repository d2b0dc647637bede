package dev.octet.bench;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.Igemm;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.PackedB8;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.Simd;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-thread SGEMM on MiniLM's shapes (M = 128 tokens) and SqueezeNet's largest convolution, and a
 * register-only FMA loop that measures this core's FP32 peak in the same run, so that GEMM is
 * reported as a share of the peak rather than as a time that depends on the machine's load.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
  /** "MxNxK". */
  @Param({"128x384x384", "128x1536x384", "128x384x1536", "64x12321x27"})
  public String shape;

  private PackedA a;
  private PackedB b;
  private float[] c;
  private PackedA a8;
  private PackedB8 b8;
  private int[] c8;
  private final ExecContext ctx = new ExecContext(null, 1);

  @Setup
  public void setup() {
    String[] p = shape.split("x");
    int m = Integer.parseInt(p[0]);
    int n = Integer.parseInt(p[1]);
    int k = Integer.parseInt(p[2]);
    Random r = new Random(1);
    float[] av = new float[m * k];
    float[] bv = new float[k * n];
    for (int i = 0; i < av.length; i++) {
      av[i] = r.nextFloat();
    }
    for (int i = 0; i < bv.length; i++) {
      bv[i] = r.nextFloat();
    }
    a = PackedA.pack(av, 0, k, m, k);
    b = PackedB.pack(bv, 0, n, k, n, false);
    c = new float[m * n];
    // the integer GEMM: uint8 activations minus their zero point, int8 weights as bytes
    float[] a8v = new float[m * k];
    for (int i = 0; i < a8v.length; i++) {
      a8v[i] = r.nextInt(256) - 128;
    }
    byte[] b8v = new byte[k * n];
    r.nextBytes(b8v);
    a8 = PackedA.pack(a8v, 0, k, m, k);
    b8 = PackedB8.pack(b8v, 0, n, k, n, false, false);
    c8 = new int[m * n];
  }

  /** Exact int32 product of 8-bit operands ({@link Igemm}); same shapes, reported as GOP/s. */
  @Benchmark
  public int[] igemm() {
    Igemm.multiply(a8, b8, c8, 0, b8.n(), ctx);
    return c8;
  }

  @Benchmark
  public float[] sgemm() {
    Sgemm.multiply(a, b, c, 0, b.n(), ctx);
    return c;
  }

  /**
   * 1,000,000 iterations of 12 independent FMAs on this CPU's vectors: 384 MFLOP per call with
   * AVX-512 (16 lanes), 192 with AVX2.
   */
  public static final long PEAK_FLOP = 1_000_000L * 12 * 2 * Simd.F.length();

  @Benchmark
  @Warmup(iterations = 2, time = 1)
  @Measurement(iterations = 3, time = 1)
  public float fmaPeak() {
    var s = Simd.F;
    FloatVector x = FloatVector.broadcast(s, 1.0000001f);
    FloatVector y = FloatVector.broadcast(s, 0.9999999f);
    FloatVector a0 = FloatVector.zero(s), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (int i = 0; i < 1_000_000; i++) {
      a0 = x.fma(y, a0);
      a1 = x.fma(y, a1);
      a2 = x.fma(y, a2);
      a3 = x.fma(y, a3);
      a4 = x.fma(y, a4);
      a5 = x.fma(y, a5);
      a6 = x.fma(y, a6);
      a7 = x.fma(y, a7);
      a8 = x.fma(y, a8);
      a9 = x.fma(y, a9);
      a10 = x.fma(y, a10);
      a11 = x.fma(y, a11);
    }
    return a0.add(a1)
        .add(a2)
        .add(a3)
        .add(a4)
        .add(a5)
        .add(a6)
        .add(a7)
        .add(a8)
        .add(a9)
        .add(a10)
        .add(a11)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
