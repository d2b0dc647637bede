package dev.octet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Parallel regions reach the workers, cover every index once, and do so for any chunk size. */
class WorkerPoolTest {
  @Test
  void regionsOfOneElementPerChunkRunOnTheWorkersToo() throws InterruptedException {
    try (WorkerPool pool = new WorkerPool(2)) {
      ExecContext ctx = new ExecContext(pool, 2);
      Set<String> threads = ConcurrentHashMap.newKeySet();
      // 4 elements in chunks of 1: the caller must not finish before a worker has taken one, so
      // every chunk waits (bounded) until two threads have joined the region
      for (int attempt = 0; attempt < 20 && threads.size() < 2; attempt++) {
        CountDownLatch both = new CountDownLatch(2);
        ctx.parallelFor(
            4,
            1,
            (s, e) -> {
              threads.add(Thread.currentThread().getName());
              both.countDown();
              try {
                both.await(50, TimeUnit.MILLISECONDS);
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              }
            });
      }
      assertTrue(threads.size() == 2, "chunks ran on " + threads);
    }
  }

  @Test
  void everyIndexIsVisitedOnceWhateverTheSizes() {
    try (WorkerPool pool = new WorkerPool(2)) {
      ExecContext ctx = new ExecContext(pool, 2);
      for (int n : new int[] {1, 2, 3, 7, 8, 9, 100}) {
        for (int grain : new int[] {1, 2, 5, 1000}) {
          AtomicIntegerArray hits = new AtomicIntegerArray(n);
          ctx.parallelFor(
              n,
              grain,
              (s, e) -> {
                for (int i = s; i < e; i++) {
                  hits.incrementAndGet(i);
                }
              });
          int[] once = new int[n];
          java.util.Arrays.fill(once, 1);
          int[] got = new int[n];
          for (int i = 0; i < n; i++) {
            got[i] = hits.get(i);
          }
          assertArrayEquals(once, got, "n " + n + ", grain " + grain);
        }
      }
    }
  }
}
