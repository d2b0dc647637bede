package dev.octet.runtime.kernel;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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

  /** Free buffers of one array type by length, and the lengths asked for in this run. */
  private static final class Shelf<T> {
    private final Map<Integer, ArrayDeque<T>> free = new HashMap<>();
    private final Set<Integer> asked = new HashSet<>();

    T take(int n) {
      asked.add(n);
      ArrayDeque<T> q = free.get(n);
      return q != null && !q.isEmpty() ? q.pop() : null;
    }

    void give(int length, T buffer) {
      free.computeIfAbsent(length, k -> new ArrayDeque<>()).push(buffer);
    }

    void endRun() {
      free.keySet().retainAll(asked);
      asked.clear();
    }
  }
}
