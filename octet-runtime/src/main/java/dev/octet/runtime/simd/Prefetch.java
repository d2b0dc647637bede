package dev.octet.runtime.simd;

/**
 * Java has no prefetch instruction; this reads one float per cache line of a range, in order, so
 * that the hardware's stream prefetcher brings the range in at full bandwidth before a kernel reads
 * it in a pattern the prefetcher does not follow. SqueezeNet's stem reads its input (600 KB, not in
 * any cache after the rest of the model has run) as nine short rows at a time; reading it through
 * once first took its cache-cold time from about 0.50 to 0.42 ms, the pass itself included. The
 * GEMM reads a large A's blocks through the same way (conv10's 2 MB of weights: 0.98 -> 0.89 ms
 * cold).
 */
public final class Prefetch {
  /** Floats per 64-byte cache line. */
  private static final int LINE = 16;

  /** Written only when the folded bits are one particular NaN, so that C2 must keep the reads. */
  @SuppressWarnings("unused")
  private static volatile int sink;

  private Prefetch() {}

  /** Reads a[from], a[from + 16], ... up to a[to - 1]. */
  public static void floats(float[] a, int from, int to) {
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
