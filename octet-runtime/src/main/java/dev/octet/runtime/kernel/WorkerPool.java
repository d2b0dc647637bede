package dev.octet.runtime.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Intra-op threads for short parallel regions (a 0.2 ms GEMM): workers spin for a while after a
 * region before they park, so the next region starts without a wake-up, and the calling thread
 * takes chunks too. One region at a time: a caller that finds the pool busy (another thread's run,
 * or a region nested in a worker) runs its loop on its own thread, so results never depend on it.
 */
public final class WorkerPool implements AutoCloseable {
  /**
   * Spins before an idle worker parks: about 0.6 ms on the Zen 3 EPYC, where a PAUSE ({@code
   * onSpinWait}) takes tens of cycles (measured 2026-11-24); less on cores with a shorter PAUSE.
   */
  private static final int SPINS = 20_000;

  private final Thread[] workers;
  private final ReentrantLock region = new ReentrantLock();
  private volatile Job job;
  private volatile int generation;
  private volatile boolean closed;

  /** {@code threads} in all: the caller plus threads - 1 workers. */
  public WorkerPool(int threads) {
    workers = new Thread[Math.max(0, threads - 1)];
    for (int i = 0; i < workers.length; i++) {
      int index = i + 1;
      workers[i] = Thread.ofPlatform().daemon().name("octet-worker-" + i).start(() -> loop(index));
    }
  }

  public int threads() {
    return workers.length + 1;
  }

  /**
   * Runs body over [0, n) on all threads: thread i (the caller is 0, worker k is k + 1) owns the
   * i-th of {@code threads} near-equal ranges of whole steps (the last may end short at n), so that
   * a loop that comes again (the same layer in the next run) gives each thread the same part of its
   * data; it takes its range in chunks of half the steps left there (at least one), then takes
   * chunks the same way from the others' ranges, so that threads still finish together when one of
   * them is slowed or late. Returns when all are done.
   *
   * <p>SqueezeNet at two threads, against guided chunks from one range (each 1 / (2 x threads) of
   * the steps left): 6-7% faster when the host made cache lines expensive to move between the two
   * cores (12.9 -> 12.0 ms, three interleaved A/Bs in one JVM, both orders), 1% when it did not,
   * 1-5% with a busy loop on one of the cores; MiniLM and mnist-8 unchanged. Static ranges without
   * the taking from others were as fast, and no faster, without the busy loop.
   */
  public void run(int n, int step, ExecContext.RangeBody body) {
    if (workers.length == 0 || step >= n || !region.tryLock()) {
      body.run(0, n);
      return;
    }
    try {
      Job j = new Job(body, n, step, threads());
      job = j;
      generation++;
      for (Thread w : workers) {
        LockSupport.unpark(w);
      }
      j.work(0);
      while (j.done.get() < n) {
        Thread.onSpinWait();
      }
      job = null;
      Throwable t = j.failure.get();
      if (t instanceof RuntimeException re) {
        throw re;
      } else if (t instanceof Error e) {
        throw e;
      } else if (t != null) {
        throw new IllegalStateException(t);
      }
    } finally {
      region.unlock();
    }
  }

  private void loop(int index) {
    int seen = generation;
    while (!closed) {
      int spins = 0;
      while (generation == seen && !closed) {
        if (++spins < SPINS) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 5_000_000L);
        }
      }
      seen = generation;
      Job j = job;
      if (j != null) {
        j.work(index);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
  }

  /** One parallel region: its own counters, so a late worker cannot touch the next region. */
  private static final class Job {
    final ExecContext.RangeBody body;
    final int step;

    /** Where what is left of thread i's range starts; it ends at {@code ends[i]}. */
    final AtomicInteger[] next;

    final int[] ends;

    /** Items done (or failed). */
    final AtomicInteger done = new AtomicInteger();

    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Job(ExecContext.RangeBody body, int n, int step, int threads) {
      this.body = body;
      this.step = step;
      long steps = ((long) n + step - 1) / step;
      next = new AtomicInteger[threads];
      ends = new int[threads];
      for (int i = 0; i < threads; i++) {
        next[i] = new AtomicInteger((int) Math.min(n, steps * i / threads * step));
        ends[i] = (int) Math.min(n, steps * (i + 1) / threads * step);
      }
    }

    /** Thread {@code index}'s share: its own range, then what is left of the others'. */
    void work(int index) {
      for (int k = 0; k < next.length; k++) {
        int r = (index + k) % next.length;
        AtomicInteger at = next[r];
        int end = ends[r];
        while (true) {
          // s stays a multiple of step: chunks are whole steps, and only the last one ends at n
          int s = at.get();
          if (s >= end) {
            break;
          }
          long left = ((long) end - s + step - 1) / step;
          int e = (int) Math.min(end, s + Math.max(1, left / 2) * step);
          if (!at.compareAndSet(s, e)) {
            continue;
          }
          try {
            if (failure.get() == null) {
              body.run(s, e);
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          } finally {
            done.addAndGet(e - s);
          }
        }
      }
    }
  }
}
