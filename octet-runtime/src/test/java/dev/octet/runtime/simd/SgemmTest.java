package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.runtime.kernel.ExecContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed Vector API GEMM against the naive loop, on sizes that do not divide the tiles. */
class SgemmTest {
  static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  /**
   * The build runs these tests with 16 and with 32 registers (octet-runtime's pom): each run must
   * take the tiles it asks for, or one of the two kernels would go untested.
   */
  @Test
  void tilesFollowTheRegisterCount() {
    String forced = System.getProperty("octet.simd.registers");
    if (forced != null) {
      assertEquals(Integer.parseInt(forced), Simd.REGISTERS);
    }
    assertEquals(Simd.REGISTERS < 32, Sgemm.HALF);
    assertEquals((Sgemm.HALF ? 2 : 3) * Simd.F.length(), Sgemm.NR);
  }

  @Test
  void matchesTheReferenceOnOddSizes() {
    Random r = new Random(1);
    int[][] sizes = {
      {1, 1, 1},
      {7, 5, 3},
      {8, 48, 16},
      {9, 49, 17},
      {17, 95, 33},
      {64, 384, 384},
      {3, 1000, 7},
      {33, 47, 129},
      {128, 1536, 384},
      // more than four row blocks of 64: tiles block by block (up to four: panel by panel)
      {300, 100, 40},
      // A of at least 1 MB: each block read through first (the last one shorter)
      {300, 50, 900},
      // right edges of at most two vectors take the narrow kernel: exactly 32, 17, with short rows
      {16, 32, 40},
      {24, 128, 32},
      {9, 80, 20},
      {13, 65, 11},
      // at most one vector: exactly 16, 13, 1 (49 above, 100: 4)
      {10, 64, 19},
      {8, 61, 5},
      {17, 145, 9}
    };
    ExecContext ctx = new ExecContext(new dev.octet.runtime.kernel.WorkerPool(2), 2);
    for (int[] s : sizes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = random(r, m * k);
      float[] b = random(r, k * n);
      for (boolean transposed : new boolean[] {false, true}) {
        float[] bt = b;
        if (transposed) {
          bt = new float[n * k];
          for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < n; j++) {
              bt[j * k + kk] = b[kk * n + j];
            }
          }
        }
        float[] expected = new float[m * n];
        SgemmReference.multiply(a, 0, k, m, k, b, 0, n, false, n, expected, 0, n);
        float[] actual = new float[m * n];
        Sgemm.multiply(
            a,
            0,
            k,
            m,
            PackedB.pack(bt, 0, transposed ? k : n, k, n, transposed),
            actual,
            0,
            n,
            ctx);
        for (int i = 0; i < expected.length; i++) {
          // same products, possibly summed in another order: relative to the magnitude of the sum
          assertEquals(
              expected[i],
              actual[i],
              1e-4f * (float) Math.sqrt(k) + 1e-5f * Math.abs(expected[i]),
              "size " + m + "x" + n + "x" + k + " at " + i);
        }
      }
    }
  }

  @Test
  void aInsideALargerArrayIsReadAtItsOffsetAndRowStep() {
    // A in place (16 registers) or packed: an m x k window of a wider matrix, NaN around it, so
    // that a read outside the window shows in C
    Random r = new Random(11);
    ExecContext ctx = new ExecContext(null, 1);
    for (int[] s : new int[][] {{13, 37, 21}, {8, 16, 5}, {5, 40, 64}, {70, 33, 19}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      int aOff = 3;
      int lda = k + 5;
      float[] a = new float[aOff + m * lda + 4];
      java.util.Arrays.fill(a, Float.NaN);
      float[] dense = random(r, m * k);
      for (int i = 0; i < m; i++) {
        System.arraycopy(dense, i * k, a, aOff + i * lda, k);
      }
      float[] b = random(r, k * n);
      float[] bias = random(r, n);
      float[] expected = new float[m * n];
      SgemmReference.multiply(dense, 0, k, m, k, b, 0, n, false, n, expected, 0, n);
      float[] actual = new float[m * n];
      Sgemm.multiply(
          a,
          aOff,
          lda,
          m,
          PackedB.pack(b, 0, n, k, n, false),
          Sgemm.padColumns(bias, n),
          actual,
          0,
          n,
          ctx);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(
            expected[i] + bias[i % n],
            actual[i],
            1e-4f * (float) Math.sqrt(k) + 1e-5f * Math.abs(expected[i]),
            "size " + m + "x" + n + "x" + k + " at " + i);
      }
    }
  }

  @Test
  void evenlySpacedRowsMatchTheReferenceInEveryPackingOfB() {
    // a pointwise convolution's input read through its rows; with 16 registers B is packed panel by
    // panel (150 rows of A in three blocks, or 24 rows with k >= 256), whole (300 rows, block by
    // block) or read in place (16 rows); rows as long as their spacing (a whole plane) and shorter,
    // n with a partial last panel
    Random r = new Random(5);
    for (int[] mk : new int[][] {{150, 37}, {300, 37}, {24, 260}, {16, 260}}) {
      int m = mk[0];
      int k = mk[1];
      for (int[] shape : new int[][] {{169, 169}, {45, 61}}) {
        int n = shape[0];
        int stride = shape[1];
        int[] rows = new int[k];
        for (int kk = 0; kk < k; kk++) {
          rows[kk] = kk * stride;
        }
        float[] b = random(r, 3 + k * stride);
        PackedA a = PackedA.pack(random(r, m * k), 0, k, m, k);
        float[] bias = random(r, m);
        for (boolean relu : new boolean[] {false, true}) {
          float[] expected = new float[m * n];
          SgemmReference.multiplyRows(a, b, 3, rows, n, bias, 0, relu, expected, 0, n);
          float[] actual = new float[m * n];
          Sgemm.multiply(a, b, 3, rows, n, bias, 0, relu, actual, 0, n, new ExecContext(null, 1));
          for (int i = 0; i < m * n; i++) {
            assertEquals(
                expected[i],
                actual[i],
                1e-4f * (1 + Math.abs(expected[i])) * (1 + k / 64f),
                m + " x " + k + " x " + n + " at " + i);
          }
        }
      }
    }
  }

  @Test
  void partialLastPanelsMatchTheReferenceBitForBit() {
    // last panels of 1-15 columns (with 16-column panels and 8 lanes: 1 or 2 one column at a time,
    // SgemmColumns; more in half tiles), rows not a multiple of 8, row blocks of 8 panels and
    // fewer; evenly spaced rows of B (every packing) and irregular ones (read through their
    // offsets); one thread and two
    Random r = new Random(8);
    ExecContext two = new ExecContext(new dev.octet.runtime.kernel.WorkerPool(2), 2);
    for (int m : new int[] {5, 16, 67, 130, 300}) {
      for (int k : new int[] {1, 16, 37, 260}) {
        for (int n : new int[] {1, 2, 3, 9, 15, 17, 34, 49, 169}) {
          for (boolean even : new boolean[] {true, false}) {
            int[] rows = new int[k];
            for (int kk = 0; kk < k; kk++) {
              rows[kk] = even ? kk * n : (kk * 7919) % k * n;
            }
            float[] b = random(r, 3 + k * n);
            PackedA a = PackedA.pack(random(r, m * k), 0, k, m, k);
            float[] bias = r.nextBoolean() ? random(r, m) : null;
            boolean relu = r.nextBoolean();
            float[] expected = new float[m * n];
            SgemmReference.multiplyRows(a, b, 3, rows, n, bias, 0, relu, expected, 0, n);
            for (ExecContext ctx : new ExecContext[] {new ExecContext(null, 1), two}) {
              float[] actual = new float[m * n];
              Sgemm.multiply(a, b, 3, rows, n, bias, 0, relu, actual, 0, n, ctx);
              assertArrayEquals(
                  expected,
                  actual,
                  m + " x " + k + " x " + n + (even ? " even" : " irregular") + ", relu " + relu);
            }
          }
        }
      }
    }
  }

  @Test
  void innerDimensionsOfZeroOneAndTwoMatchTheReference() {
    // the shortest k loops, through the kernels' retyped epilogues (Simd.ONE), bit for bit; k = 0
    // (ONNX allows it) leaves the bias
    Random r = new Random(6);
    int m = 16;
    int n = 45;
    for (int k = 0; k <= 2; k++) {
      int[] rows = new int[k];
      for (int kk = 0; kk < k; kk++) {
        rows[kk] = kk * n;
      }
      float[] b = random(r, 3 + k * n);
      PackedA a = PackedA.pack(random(r, m * k), 0, k, m, k);
      float[] bias = random(r, m);
      for (boolean relu : new boolean[] {false, true}) {
        float[] expected = new float[m * n];
        SgemmReference.multiplyRows(a, b, 3, rows, n, bias, 0, relu, expected, 0, n);
        float[] actual = new float[m * n];
        Sgemm.multiply(a, b, 3, rows, n, bias, 0, relu, actual, 0, n, new ExecContext(null, 1));
        assertArrayEquals(expected, actual, "k = " + k + ", relu " + relu);
      }
    }
  }

  @Test
  void reluIsMathMaxWithZeroInEveryKernel() {
    // the tile epilogues' Relu is a compare and a blend, not FloatVector.max: still Math.max(v, 0f)
    // bit for bit, NaN kept and -0 turned into +0, in the wide kernel (rows evenly spaced), the
    // rows kernel (not evenly spaced) and the narrow ones (right edges of 20 and 5 columns)
    Random r = new Random(4);
    int m = 11;
    int k = 6;
    for (int n : new int[] {2 * Sgemm.NR + 20, Sgemm.NR + 5}) {
      for (int gap : new int[] {0, 3}) {
        int[] rows = new int[k];
        for (int kk = 0; kk < k; kk++) {
          rows[kk] = kk * (n + gap) + (gap > 0 && kk == k - 1 ? 1 : 0);
        }
        float[] b = new float[k * (n + gap) + 1];
        for (int i = 0; i < b.length; i++) {
          b[i] = -(1f + r.nextFloat()) * 1e-30f;
        }
        float[] a = random(r, m * k);
        // row 0's products round to -0 (about -1e-60), and so do their sums
        java.util.Arrays.fill(a, 0, k, 1e-30f);
        a[k + 2] = Float.NaN;
        float[] bias = random(r, m);
        bias[0] = 0f;
        float[] expected = new float[m * n];
        SgemmReference.multiplyRows(
            PackedA.pack(a, 0, k, m, k), b, 0, rows, n, bias, 0, true, expected, 0, n);
        float[] actual = new float[m * n];
        Sgemm.multiply(
            PackedA.pack(a, 0, k, m, k),
            b,
            0,
            rows,
            n,
            bias,
            0,
            true,
            actual,
            0,
            n,
            new ExecContext(null, 1));
        for (int j = 0; j < n; j++) {
          assertEquals(
              0, Float.floatToRawIntBits(actual[j]), "row 0 (-0 before Relu), column " + j);
          assertTrue(Float.isNaN(actual[n + j]), "row 1 (NaN), column " + j);
        }
        for (int i = 2 * n; i < m * n; i++) {
          assertTrue(actual[i] >= 0f, "element " + i + ": " + actual[i]);
          assertEquals(expected[i], actual[i], 1e-4f * (1 + Math.abs(expected[i])));
        }
      }
    }
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() {
    Random r = new Random(2);
    int m = 100;
    int n = 300;
    int k = 77;
    float[] a = random(r, m * k);
    PackedB b = PackedB.pack(random(r, k * n), 0, n, k, n, false);
    float[] one = new float[m * n];
    float[] two = new float[m * n];
    Sgemm.multiply(a, 0, k, m, b, one, 0, n, new ExecContext(null, 1));
    Sgemm.multiply(
        a, 0, k, m, b, two, 0, n, new ExecContext(new dev.octet.runtime.kernel.WorkerPool(2), 2));
    assertArrayEquals(one, two);
  }

  @Test
  void evenlySpacedRowsAreRecognised() {
    // a pointwise convolution's rows (the input's planes) take the evenly spaced kernel
    assertEquals(169, Sgemm.linearStride(new int[] {0, 169, 338, 507}, 4));
    assertEquals(169, Sgemm.linearStride(new int[] {0, 169, 338, 1}, 3));
    assertEquals(-1, Sgemm.linearStride(new int[] {0, 169, 339}, 3));
    assertEquals(-1, Sgemm.linearStride(new int[] {3, 172}, 2));
    assertEquals(-1, Sgemm.linearStride(new int[] {0, 1, 2, 3, 58, 59}, 6));
    assertEquals(0, Sgemm.linearStride(new int[] {0}, 1));
  }

  @Test
  void theSimdSwitchIsReadFromTheSystemProperty() {
    assertTrue(Simd.ENABLED || "false".equals(System.getProperty("octet.simd")));
  }
}
