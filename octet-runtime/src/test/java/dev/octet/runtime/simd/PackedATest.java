package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * PackedA's layout against its definition, for odd sizes, strides and offsets, and packed on two
 * threads.
 */
class PackedATest {
  @Test
  void packedPanelsHoldEveryElementAndZerosPastTheLastRow() {
    Random r = new Random(3);
    int[][] shapes = {
      {1, 1},
      {7, 3},
      {8, 1},
      {8, 2},
      {9, 5},
      {16, 17},
      {23, 64},
      {40, 33},
      {24, 16},
      {16, 50},
      {1027, 70},
      {203, 385}
    };
    for (int[] shape : shapes) {
      int m = shape[0];
      int k = shape[1];
      int lda = k + r.nextInt(3);
      int off = r.nextInt(5);
      float[] a = new float[off + m * lda];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextFloat() - 0.5f;
      }
      PackedA p = PackedA.pack(a, off, lda, m, k);
      // the same panels packed by two threads (the large shapes are split into chunks)
      try (WorkerPool pool = new WorkerPool(2)) {
        float[] parallel = new float[PackedA.size(m, k)];
        PackedA.pack(a, off, lda, m, k, parallel, new ExecContext(pool, 2));
        assertArrayEquals(p.data(), parallel, m + "x" + k + " on two threads");
      }
      int panels = (m + Sgemm.MR - 1) / Sgemm.MR;
      for (int i = 0; i < panels * Sgemm.MR; i++) {
        for (int kk = 0; kk < k; kk++) {
          float want = i < m ? a[off + i * lda + kk] : 0f;
          float got = p.data()[((i / Sgemm.MR) * k + kk) * Sgemm.MR + i % Sgemm.MR];
          assertEquals(want, got, m + "x" + k + " row " + i + " col " + kk);
        }
      }
    }
  }
}
