package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every vectorised element-wise op against its scalar form, with tails (sizes not multiples of the
 * vector).
 */
class VectorMathTest {
  @Test
  void unaryOpsMatchTheirScalarForm() {
    Random r = new Random(3);
    for (int n : new int[] {1, 15, 16, 17, 33, 1000}) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (r.nextGaussian() * 3);
      }
      for (VectorMath.Unary op : VectorMath.Unary.values()) {
        float[] fast = new float[n];
        VectorMath.unary(x, 0, fast, 0, n, op);
        for (int i = 0; i < n; i++) {
          float want = op.apply(x[i]);
          float tol = op == VectorMath.Unary.ERF ? 5e-7f : 2e-6f * Math.max(1, Math.abs(want));
          if (!(Float.isNaN(want) && Float.isNaN(fast[i]))) {
            assertEquals(want, fast[i], tol, op + " at x=" + x[i]);
          }
        }
      }
    }
  }

  @Test
  void binaryOpsMatchTheirScalarFormForEveryStridePattern() {
    Random r = new Random(4);
    int n = 37;
    float[] a = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) Math.abs(r.nextGaussian()) + 0.1f;
      b[i] = (float) r.nextGaussian();
    }
    int[][] strides = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
    for (VectorMath.Binary op : VectorMath.Binary.values()) {
      for (int[] s : strides) {
        float[] fast = new float[n];
        VectorMath.binary(a, 0, s[0], b, 0, s[1], fast, 0, n, op);
        for (int i = 0; i < n; i++) {
          float want = op.apply(a[i * s[0]], b[i * s[1]]);
          assertEquals(
              want,
              fast[i],
              2e-6f * Math.max(1, Math.abs(want)),
              op + " strides " + s[0] + "," + s[1]);
        }
      }
    }
  }

  @Test
  void reductionsMatchDoubleSums() {
    Random r = new Random(5);
    for (int n : new int[] {1, 7, 16, 31, 384, 1537}) {
      float[] x = new float[n + 3];
      double sum = 0;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
        if (i >= 3) {
          sum += x[i];
          max = Math.max(max, x[i]);
        }
      }
      assertEquals(sum, VectorMath.sum(x, 3, n), 1e-4 * Math.sqrt(n));
      assertEquals(max, VectorMath.max(x, 3, n));
      assertEquals(1.0, Erf.erf(10.0));
      assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
      assertEquals(-0.9953222650189527, Erf.erf(-2.0), 1e-15);
    }
  }
}
