package dev.octet.runtime.kernel;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Float buffers that kernels take and give back, by exact length. A session keeps its pools between
 * runs, so that a steady stream of same-shaped runs allocates nothing: fresh multi-megabyte arrays
 * are costly on the JVM (zeroing, and with G1 humongous regions that are committed on first touch;
 * measured: SqueezeNet's first convolution took 2.1 ms with a fresh output, 0.45 ms with a reused
 * one). {@link #endRun} drops the lengths the last run did not ask for, so a model run on varying
 * shapes keeps no more than one run's worth. Thread-safe.
 */
public final class BufferPool {
  private final Shelf<float[]> floats = new Shelf<>();
  private final Shelf<int[]> ints = new Shelf<>();

  /** A buffer of length {@code n} with unspecified contents, or null when none is free. */
  public synchronized float[] take(int n) {
    return floats.take(n);
  }

  /** Returns a buffer that nothing references any more. */
  public synchronized void give(float[] buffer) {
    floats.give(buffer.length, buffer);
  }

  /** An int buffer of length {@code n} (integer accumulators), or null when none is free. */
  public synchronized int[] takeInts(int n) {
    return ints.take(n);
  }

  public synchronized void give(int[] buffer) {
    ints.give(buffer.length, buffer);
  }

  /** Keeps only the lengths asked for since the last call. */
  public synchronized void endRun() {
    floats.endRun();
    ints.endRun();
  }

  /**
   * Free buffers of one array type by length, each length stamped with the last run that asked for
   * it (a set of the lengths asked, updated on every take, was most of the pool's cost: 4% of
   * mnist-8's run).
   */
  private static final class Shelf<T> {
    /** The free buffers of one length, and the last run that asked for that length. */
    private static final class Slot<T> {
      final ArrayDeque<T> free = new ArrayDeque<>();
      long run = -1;
    }

    private final Map<Integer, Slot<T>> slots = new HashMap<>();
    private long run;

    T take(int n) {
      Slot<T> s = slots.computeIfAbsent(n, k -> new Slot<>());
      s.run = run;
      return s.free.poll();
    }

    void give(int length, T buffer) {
      slots.computeIfAbsent(length, k -> new Slot<>()).free.push(buffer);
    }

    void endRun() {
      long r = run++;
      slots.values().removeIf(s -> s.run != r);
    }
  }
}
