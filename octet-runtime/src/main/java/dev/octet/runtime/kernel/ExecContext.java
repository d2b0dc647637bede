package dev.octet.runtime.kernel;

/**
 * Per-run services for kernels: float buffers recycled by value lifetime (from a {@link BufferPool}
 * that the session keeps between runs), and a parallel loop over the session's thread pool. One
 * context per {@code Session.run}.
 */
public final class ExecContext {
  /** Body of a parallel loop over {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  private final WorkerPool pool;
  private final int threads;
  private final BufferPool buffers;

  public ExecContext(WorkerPool pool, int threads) {
    this(pool, threads, new BufferPool());
  }

  /** A context whose buffers come from (and go back to) {@code buffers}, kept by the caller. */
  public ExecContext(WorkerPool pool, int threads, BufferPool buffers) {
    this.pool = pool;
    this.threads = Math.max(1, threads);
    this.buffers = buffers;
  }

  /** The same buffers on one thread: for the body of an outer parallel loop. */
  public ExecContext serial() {
    return threads == 1 ? this : new ExecContext(null, 1, buffers);
  }

  public int threads() {
    return threads;
  }

  /**
   * A float array of length {@code n} with unspecified contents: the kernel writes every element.
   */
  public float[] floats(int n) {
    float[] reused = buffers.take(n);
    return reused != null ? reused : new float[n];
  }

  /**
   * A kernel's own working buffer (never a tensor's data) of at least {@code n} floats, with
   * unspecified contents; give it back with {@link #recycle(float[])}. Above {@link #SMALL_SCRATCH}
   * floats its length is {@code n} rounded up to a power of two, so that the scratch of nodes of
   * different shapes shares a few buffers, the one the node before just left in cache, where
   * buffers of exact lengths are each one node's, last written a run ago. The Winograd
   * convolutions' scratch (padded input, V and M) comes from here: in SqueezeNet at one thread its
   * 10 lengths (3.4 MB, one set per layer shape) became 3 classes (about 2 MB, each buffer last
   * used by the layer before), and the model ran 1.5% faster on a Zen 3 EPYC (five interleaved A/Bs
   * in one JVM: 0.975-0.992), at two threads unchanged (0.998-1.014). Taking every GEMM and
   * convolution scratch buffer this way was slower (1.017 and 0.998 at one thread, 1.029 and 1.053
   * at two).
   */
  public float[] scratch(int n) {
    return floats(scratchLength(n));
  }

  /** The length of {@link #scratch}'s buffer for n floats (n itself past 2^30). */
  static int scratchLength(int n) {
    return n > SMALL_SCRATCH && n <= 1 << 30 ? Integer.highestOneBit(n - 1) << 1 : n;
  }

  /** Scratch up to this many floats keeps its exact length. */
  static final int SMALL_SCRATCH = 4096;

  /** An int array of length {@code n} with unspecified contents. */
  public int[] ints(int n) {
    int[] reused = buffers.takeInts(n);
    return reused != null ? reused : new int[n];
  }

  /** Returns an int buffer that nothing references any more. */
  public void recycle(int[] buffer) {
    if (buffer.length >= 256) {
      buffers.give(buffer);
    }
  }

  /** A zero-filled float array of length {@code n}. */
  public float[] zeroFloats(int n) {
    float[] a = floats(n);
    java.util.Arrays.fill(a, 0f);
    return a;
  }

  /** Returns a buffer that no live value references any more. */
  public void recycle(float[] buffer) {
    if (buffer.length < 256) {
      return;
    }
    buffers.give(buffer);
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into chunks of at least {@code grain} items across
   * the session's threads (serially below two grains; see {@link WorkerPool#run} for the chunks'
   * sizes). The split must not change results: each item is computed the same way whichever chunk
   * it falls in, so outputs do not depend on the thread count.
   */
  public void parallelFor(int n, int grain, RangeBody body) {
    parallelFor(n, grain, 1, body);
  }

  /**
   * As {@link #parallelFor(int, int, RangeBody)}, with chunk boundaries at multiples of {@code
   * align}: element-wise loops pass the vector length, so that the same elements fall into a
   * chunk's scalar tail whatever the thread count (vector and scalar forms may differ in the last
   * bit).
   */
  public void parallelFor(int n, int grain, int align, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int unit = Math.max(1, grain);
    if (threads == 1 || n / unit <= 1 || pool == null) {
      body.run(0, n);
      return;
    }
    pool.run(n, (unit + align - 1) / align * align, body);
  }
}
