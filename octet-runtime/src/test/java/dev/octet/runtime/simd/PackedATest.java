package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** PackedA's layout against its definition, for odd sizes, strides and offsets. */
class PackedATest {
  @Test
  void packedPanelsHoldEveryElementAndZerosPastTheLastRow() {
    Random r = new Random(3);
    int[][] shapes = {
      {1, 1}, {7, 3}, {8, 1}, {8, 2}, {9, 5}, {16, 17}, {23, 64}, {40, 33}, {24, 16}, {16, 50}
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
