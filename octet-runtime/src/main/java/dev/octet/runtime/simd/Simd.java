package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD switch and the preferred float vector shape of this CPU.
 *
 * <p>Kernels write Relu as {@code v.blend(zero, v.compare(LE, zero))}, which is {@code Math.max(v,
 * 0f)} (NaN stays NaN, -0 becomes +0) in two instructions: C2 turns {@code v.max(0f)} into six on
 * x86, ordering NaN and -0 by hand around a {@code vmaxps}. It is written out where it is used: a
 * helper method was not inlined into the large tile methods ("callee uses too much stack"), and a
 * vector passed to a call that is not inlined is boxed (SqueezeNet: 4 -> 65 ms).
 *
 * <p>Vectors of another shape than {@link #F} (the 128-bit ones of {@code BlockTranspose}, {@code
 * Winograd4} and {@code WindowMax}) use only FloatVector's abstract methods ({@code lanewise},
 * {@code blend}, {@code rearrange}, {@code compare}), whose type profile is the caller's, and store
 * with {@code intoMemorySegment}, never {@code add}, {@code mul} or {@code intoArray}: those are
 * final methods with one type profile for the whole JVM, and a profile that has seen two shapes
 * makes C2 keep the vectors of every kernel it compiles from that profile alone (no tier-3 profile
 * of its own) boxed, a 48-byte allocation per operation. That was the slow JVM of BENCHMARKS.md
 * sessions 30-32 (about 2% of JVMs, SqueezeNet 15-20 times slower); {@code VectorProfileTest} makes
 * it happen every time with {@code -XX:-TieredCompilation} and counts the bytes. Another library in
 * the JVM can still mix shapes in those profiles, so the hottest kernels also keep their receivers
 * exactly typed: a k loop's accumulators are retyped after it ({@code ONE.mul(c)}, bit for bit c),
 * and the first operation on a loaded vector is the abstract {@code lanewise}, whose profile is the
 * caller's.
 */
public final class Simd {
  /** False when {@code -Doctet.simd=false}: every kernel then takes its scalar path. */
  public static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("octet.simd"));

  public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  /**
   * Ones of the preferred shape: {@code ONE.mul(c)} retypes a k loop's accumulator (bit for bit c)
   * with a constant receiver of the exact class (see the class comment).
   */
  public static final FloatVector ONE = FloatVector.broadcast(F, 1f);

  /**
   * Vector registers the micro-kernels may plan for: 32 with AVX-512 and on AArch64, 16 on other
   * x86 CPUs (AVX2), where a tile of 24 accumulators spills. {@code -Doctet.simd.registers=N}
   * overrides it.
   */
  public static final int REGISTERS = registers();

  private static int registers() {
    String forced = System.getProperty("octet.simd.registers");
    if (forced != null) {
      return Integer.parseInt(forced.trim());
    }
    String arch = System.getProperty("os.arch", "");
    boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
    return x86 && F.vectorBitSize() < 512 ? 16 : 32;
  }

  private Simd() {}
}
