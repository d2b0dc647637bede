package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The byte-panel integer GEMM against the scalar reference and a plain long-accumulating loop. */
class IgemmTest {
  @ParameterizedTest
  @CsvSource({
    "1, 1, 1, true",
    "3, 5, 47, false",
    "7, 17, 48, true",
    "8, 64, 49, false",
    "9, 513, 100, true",
    "65, 1100, 96, false",
    "130, 384, 145, true",
    "16, 1537, 3, false",
    "300, 40, 97, true"
  })
  void matchesReferenceAndExactLoop(int m, int k, int n, boolean unsigned) {
    Random r = new Random(m * 31L + k * 7L + n);
    byte[] b = new byte[k * n];
    r.nextBytes(b);
    // extremes included: the float chunks must stay exact at |A| = 255, |B| = 128
    float[] a = new float[m * k];
    for (int i = 0; i < a.length; i++) {
      a[i] = i % 13 == 0 ? (i % 2 == 0 ? 255 : -255) : r.nextInt(511) - 255;
    }
    b[0] = (byte) 0x80;
    PackedB8 p = PackedB8.pack(b, 0, n, k, n, false, unsigned);
    int[] fast = new int[m * n];
    Igemm.multiply(a, 0, k, m, p, fast, 0, n, new ExecContext(null, 1));
    int[] ref = new int[m * n];
    IgemmReference.multiply(a, 0, k, m, p, ref, 0, n);
    assertArrayEquals(ref, fast, "fast vs reference");

    int[] exactInt = new int[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        long s = 0;
        for (int kk = 0; kk < k; kk++) {
          int v = unsigned ? (b[kk * n + j] & 0xff) - 128 : b[kk * n + j];
          s += (long) a[i * k + kk] * v;
        }
        exactInt[i * n + j] = (int) s;
      }
    }
    assertArrayEquals(exactInt, fast, "fast vs exact");

    if (k <= Igemm.KC) {
      float[] asFloat = new float[m * n];
      Igemm.multiplyToFloat(
          PackedA.pack(a, 0, k, m, k), p, asFloat, 0, n, new ExecContext(new WorkerPool(2), 2));
      for (int i = 0; i < asFloat.length; i++) {
        assertArrayEquals(new int[] {exactInt[i]}, new int[] {(int) asFloat[i]}, "float C " + i);
      }
    }

    int[] two = new int[m * n];
    Igemm.multiply(a, 0, k, m, p, two, 0, n, new ExecContext(new WorkerPool(2), 2));
    assertArrayEquals(fast, two, "1 vs 2 threads");
  }

  @ParameterizedTest
  @CsvSource({"1, 9, 1, true", "7, 27, 3025, false", "16, 576, 169, true", "70, 1100, 50, false"})
  void byteLeftOperandMatchesReference(int m, int k, int n, boolean unsigned) {
    Random r = new Random(m + 17L * k + n);
    byte[] a = new byte[m * k];
    r.nextBytes(a);
    float[] b = new float[k * n];
    for (int i = 0; i < b.length; i++) {
      b[i] = i % 11 == 0 ? 255 : r.nextInt(511) - 255;
    }
    PackedA8 pa = PackedA8.pack(a, 0, k, m, k, unsigned);
    PackedB pb = PackedB.pack(b, 0, n, k, n, false);
    int[] fast = new int[m * n];
    Igemm.multiply(pa, pb, fast, 0, n, new ExecContext(new WorkerPool(2), 2));
    int[] ref = new int[m * n];
    IgemmReference.multiply(pa, pb, ref, 0, n);
    assertArrayEquals(ref, fast);
    int v = unsigned ? (a[0] & 0xff) - 128 : a[0];
    long s = 0;
    for (int kk = 0; kk < k; kk++) {
      s += (long) (unsigned ? (a[kk] & 0xff) - 128 : a[kk]) * (long) b[kk * n];
    }
    assertArrayEquals(
        new int[] {(int) s}, new int[] {fast[0]}, "C[0][0] by hand (A[0][0] = " + v + ")");
  }

  @ParameterizedTest
  @CsvSource({"5, 33, 50", "20, 700, 97"})
  void transposedPackingMatches(int m, int k, int n) {
    Random r = new Random(k);
    byte[] bt = new byte[n * k];
    r.nextBytes(bt);
    byte[] b = new byte[k * n];
    for (int kk = 0; kk < k; kk++) {
      for (int j = 0; j < n; j++) {
        b[kk * n + j] = bt[j * k + kk];
      }
    }
    float[] a = new float[m * k];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextInt(256);
    }
    int[] x = new int[m * n];
    int[] y = new int[m * n];
    Igemm.multiply(
        a, 0, k, m, PackedB8.pack(b, 0, n, k, n, false, false), x, 0, n, new ExecContext(null, 1));
    Igemm.multiply(
        a, 0, k, m, PackedB8.pack(bt, 0, k, k, n, true, false), y, 0, n, new ExecContext(null, 1));
    assertArrayEquals(x, y);
  }
}
