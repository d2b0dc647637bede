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
  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
  private final Set<Integer> asked = new HashSet<>();
  private final Map<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
  private final Set<Integer> askedInts = new HashSet<>();

  /** A buffer of length {@code n} with unspecified contents, reused when one is free. */
  public synchronized float[] take(int n) {
    asked.add(n);
    ArrayDeque<float[]> q = free.get(n);
    return q != null && !q.isEmpty() ? q.pop() : null;
  }

  /** Returns a buffer that nothing references any more. */
  public synchronized void give(float[] buffer) {
    free.computeIfAbsent(buffer.length, k -> new ArrayDeque<>()).push(buffer);
  }

  /** An int buffer of length {@code n} (integer accumulators), or null when none is free. */
  public synchronized int[] takeInts(int n) {
    askedInts.add(n);
    ArrayDeque<int[]> q = freeInts.get(n);
    return q != null && !q.isEmpty() ? q.pop() : null;
  }

  public synchronized void give(int[] buffer) {
    freeInts.computeIfAbsent(buffer.length, k -> new ArrayDeque<>()).push(buffer);
  }

  /** Keeps only the lengths asked for since the last call. */
  public synchronized void endRun() {
    free.keySet().retainAll(asked);
    asked.clear();
    freeInts.keySet().retainAll(askedInts);
    askedInts.clear();
  }

  /** Floats held (int buffers not counted), for tests and memory accounting. */
  public synchronized long floatsHeld() {
    long s = 0;
    for (ArrayDeque<float[]> q : free.values()) {
      for (float[] f : q) {
        s += f.length;
      }
    }
    return s;
  }
}
