package dev.octet.runtime.simd;

/**
 * Java has no prefetch instruction; this reads one float per cache line of a range, in order, so
 * that the hardware's stream prefetcher brings the range in at full bandwidth before a kernel reads
 * it in a pattern the prefetcher does not follow. SqueezeNet's stem reads its input (600 KB, not in
 * any cache after the rest of the model has run) as nine short rows at a time; reading it through
 * once first took its cache-cold time from about 0.50 to 0.42 ms, the pass itself included. The
 * GEMM reads a large A's blocks through the same way (conv10's 2 MB of weights: 0.98 -> 0.89 ms
 * cold).
 *
 * <p>That was on AVX-512 cores. On a Zen 1 EPYC with AVX2, whose kernels run at a quarter of that
 * speed, the passes cost more than they save (SqueezeNet interleaved with ONNX Runtime: Octet /
 * ONNX Runtime 1.115 -> 1.094, 1.158 -> 1.147, 1.163 -> 1.150 without them), so {@link #floats}
 * reads only where vectors are 512 bits wide ({@link #PAYS}).
 */
public final class Prefetch {
  /** Floats per 64-byte cache line. */
  private static final int LINE = 16;

  /** Written only when the folded bits are one particular NaN, so that C2 must keep the reads. */
  @SuppressWarnings("unused")
  private static volatile int sink;

  private Prefetch() {}

  /** Whether the read-through passes pay on this CPU: vectors of 512 bits (see above). */
  public static final boolean PAYS = Simd.F.vectorBitSize() >= 512;

  /** Reads a[from], a[from + 16], ... up to a[to - 1] where that {@link #PAYS}. */
  public static void floats(float[] a, int from, int to) {
    if (PAYS) {
      read(a, from, to);
    }
  }

  /** Reads a[from], a[from + 16], ... up to a[to - 1], the range cut to the array. */
  static void read(float[] a, int from, int to) {
    int lo = Math.max(0, from);
    int hi = Math.min(a.length, to);
    int bits = 0;
    for (int i = lo; i < hi; i += LINE) {
      bits ^= Float.floatToRawIntBits(a[i]);
    }
    if (bits == 0x7fc0_1234) {
      sink = bits;
    }
  }
}
