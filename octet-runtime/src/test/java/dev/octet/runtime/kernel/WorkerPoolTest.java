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
 * Parallel regions reach the workers, cover every index once, and do so for any chunk size; each
 * thread starts on its own range, taken in halves, before it takes from the others'.
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
  void eachThreadsRangeIsTakenInHalvesAndChunksNeverCrossRanges() {
    try (WorkerPool pool = new WorkerPool(2)) {
      ExecContext ctx = new ExecContext(pool, 2);
      // whichever thread takes them: ranges [0, 50) and [50, 100), each taken in chunks of half
      // the steps left there: 25, 12, 6, 3, 2, 1, 1
      java.util.List<int[]> c = chunks(ctx, 100, 1, 1);
      int[][] expected = {
        {0, 25}, {25, 37}, {37, 43}, {43, 46}, {46, 48}, {48, 49}, {49, 50},
        {50, 75}, {75, 87}, {87, 93}, {93, 96}, {96, 98}, {98, 99}, {99, 100}
      };
      assertEquals(expected.length, c.size());
      for (int i = 0; i < expected.length; i++) {
        assertArrayEquals(expected[i], c.get(i), "chunk " + i);
      }
      // with a grain of 3 and an alignment of 8, whole steps of 8: 1000 floats are 125 steps, 62
      // in the first range and 63 in the second, whose last chunk ends short at 1000
      java.util.List<int[]> a = chunks(ctx, 1000, 3, 8);
      assertArrayEquals(new int[] {0, 248}, a.get(0));
      int second = 0;
      while (a.get(second)[0] < 496) {
        second++;
      }
      assertArrayEquals(new int[] {496, 744}, a.get(second));
      for (int[] chunk : a) {
        assertTrue(chunk[0] % 8 == 0 && (chunk[1] % 8 == 0 || chunk[1] == 1000), "aligned");
        assertTrue(chunk[1] <= 496 || chunk[0] >= 496, "within one range");
      }
      assertArrayEquals(new int[] {992, 1000}, a.get(a.size() - 1));
      // below two grains, one chunk on the calling thread
      assertEquals(1, chunks(ctx, 9, 5, 1).size());
    }
  }

  @Test
  void theWorkerStartsOnItsOwnRange() {
    try (WorkerPool pool = new WorkerPool(2)) {
      ExecContext ctx = new ExecContext(pool, 2);
      // 4 steps: the caller owns [0, 2), the worker [2, 4). Each chunk waits (bounded) until both
      // threads are in a chunk; in a region where they met, the worker's first chunk was [2, 3)
      boolean met = false;
      for (int attempt = 0; attempt < 20 && !met; attempt++) {
        CountDownLatch both = new CountDownLatch(2);
        java.util.Map<String, Integer> first = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean together =
            new java.util.concurrent.atomic.AtomicBoolean(true);
        String caller = Thread.currentThread().getName();
        ctx.parallelFor(
            4,
            1,
            (s, e) -> {
              if (first.putIfAbsent(Thread.currentThread().getName(), s) == null) {
                both.countDown();
                try {
                  if (!both.await(50, TimeUnit.MILLISECONDS)) {
                    together.set(false);
                  }
                } catch (InterruptedException ex) {
                  Thread.currentThread().interrupt();
                }
              }
            });
        if (together.get() && first.size() == 2) {
          met = true;
          assertEquals(0, first.get(caller), "the caller's first chunk");
          first.remove(caller);
          assertEquals(2, first.values().iterator().next(), "the worker's first chunk");
        }
      }
      assertTrue(met, "the two threads never met in a region");
    }
  }
}
