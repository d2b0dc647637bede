package dev.octet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Parallel regions reach the workers, cover every index once, and do so for any chunk size; the
 * chunks shrink as a loop goes (guided).
 */
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

  /** The chunks of one region, sorted by their start. */
  private static java.util.List<int[]> chunks(ExecContext ctx, int n, int grain, int align) {
    java.util.List<int[]> got = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    ctx.parallelFor(n, grain, align, (s, e) -> got.add(new int[] {s, e}));
    java.util.List<int[]> sorted = new java.util.ArrayList<>(got);
    sorted.sort(java.util.Comparator.comparingInt(c -> c[0]));
    return sorted;
  }

  @Test
  void chunksShrinkFromAQuarterOfTheLoopToOneGrainOnTwoThreads() {
    try (WorkerPool pool = new WorkerPool(2)) {
      ExecContext ctx = new ExecContext(pool, 2);
      // whichever thread takes them, a chunk is 1 / 4 of the steps left: 25 of 100, 18 of 75, ...
      java.util.List<int[]> c = chunks(ctx, 100, 1, 1);
      assertArrayEquals(new int[] {0, 25}, c.get(0));
      assertArrayEquals(new int[] {25, 43}, c.get(1));
      assertArrayEquals(new int[] {99, 100}, c.get(c.size() - 1));
      for (int i = 1; i < c.size(); i++) {
        assertTrue(c.get(i)[0] == c.get(i - 1)[1], "contiguous");
        assertTrue(
            c.get(i)[1] - c.get(i)[0] <= c.get(i - 1)[1] - c.get(i - 1)[0], "sizes never grow");
      }
      // with a grain of 3 and an alignment of 8, whole steps of 8: 1000 floats are 125 steps, the
      // first chunk 31 of them, the last one ends short at 1000
      java.util.List<int[]> a = chunks(ctx, 1000, 3, 8);
      assertArrayEquals(new int[] {0, 248}, a.get(0));
      for (int[] chunk : a) {
        assertTrue(chunk[0] % 8 == 0 && (chunk[1] % 8 == 0 || chunk[1] == 1000), "aligned");
      }
      assertArrayEquals(new int[] {992, 1000}, a.get(a.size() - 1));
      // below two grains, one chunk on the calling thread
      assertEquals(1, chunks(ctx, 9, 5, 1).size());
    }
  }
}
