package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every vectorised element-wise op against its scalar form, with tails (sizes not multiples of the
 * vector).
 */
class VectorMathTest {
  /** The double-precision reference of each op. */
  static double reference(VectorMath.Unary op, double x) {
    return switch (op) {
      case RELU -> Math.max(x, 0);
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQRT -> Math.sqrt(x);
      case RECIPROCAL -> 1 / x;
      case EXP -> Math.exp(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1 / (1 + Math.exp(-x));
      case ERF -> Erf.erf(x);
      case GELU -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
    };
  }

  @Test
  void expShiftSumFlushesTinyTermsAndKeepsTheSum() {
    Random r = new Random(11);
    for (int n : new int[] {1, 15, 16, 37, 128}) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (r.nextDouble() * -120); // from e^0 down to far below float range
      }
      x[n / 2] = 0f;
      float[] out = new float[n];
      float sum = VectorMath.expShiftSum(x, 0, n, 0f, out, 0);
      double want = 0;
      for (int i = 0; i < n; i++) {
        want += Math.exp(x[i]);
        // tiny terms are 0, so that dividing by the sum and multiplying by activations cannot
        // reach subnormal range (without the flush e^-87 = 1.2e-38 is produced)
        assertTrue(out[i] == 0f || out[i] >= 1e-18f, "tiny term at " + i + ": " + out[i]);
      }
      assertEquals(want, sum, 1e-6 * want, "n " + n);
    }
  }

  @Test
  void vectorAndScalarFormsAgreeBitwiseAndFollowTheReference() {
    Random r = new Random(3);
    for (int n : new int[] {1, 15, 16, 17, 33, 1000}) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (r.nextGaussian() * 3);
      }
      x[0] = n > 1 ? 1e-5f : x[0];
      for (VectorMath.Unary op : VectorMath.Unary.values()) {
        float[] fast = new float[n];
        VectorMath.unary(x, 0, fast, 0, n, op);
        for (int i = 0; i < n; i++) {
          float scalar = op.apply(x[i]);
          if (Float.isNaN(scalar)) {
            assertTrue(Float.isNaN(fast[i]), op + " at x=" + x[i]);
            continue;
          }
          // same bits whichever path computes the element: results cannot depend on chunking
          assertEquals(
              Float.floatToIntBits(scalar), Float.floatToIntBits(fast[i]), op + " at x=" + x[i]);
          double want = reference(op, x[i]);
          // GELU's error scales with x, not with x Phi(x), which cancels to 0 for negative x
          double scale =
              op == VectorMath.Unary.GELU ? Math.max(1, Math.abs(x[i])) : 1 + Math.abs(want);
          assertEquals(want, scalar, 3e-7 * scale, op + " against its reference at x=" + x[i]);
        }
      }
    }
  }

  @Test
  void geluFollowsTheNormalCdfAcrossItsFitAndBeyond() {
    // every 1/256 from -9 to 9: the rational fit, its ends at +-5.5 and the 0 / x past them
    int n = 18 * 256 + 1;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -9f + i / 256f;
    }
    float[] y = new float[n];
    VectorMath.unary(x, 0, y, 0, n, VectorMath.Unary.GELU);
    for (int i = 0; i < n; i++) {
      double want = reference(VectorMath.Unary.GELU, x[i]);
      assertEquals(want, y[i], 2e-7 * Math.max(1, Math.abs(x[i])), "gelu(" + x[i] + ")");
    }
    assertEquals(0f, FastMath.gelu(Float.NEGATIVE_INFINITY));
    assertEquals(Float.POSITIVE_INFINITY, FastMath.gelu(Float.POSITIVE_INFINITY));
  }

  @Test
  void nanStaysNanInTheVectorBodyToo() {
    float[] x = new float[40];
    x[3] = Float.NaN;
    x[35] = Float.NaN;
    for (VectorMath.Unary op : VectorMath.Unary.values()) {
      float[] y = new float[x.length];
      VectorMath.unary(x, 0, y, 0, x.length, op);
      assertTrue(Float.isNaN(y[3]) && Float.isNaN(y[35]), op.toString());
      assertTrue(!Float.isNaN(y[4]) || op == VectorMath.Unary.RECIPROCAL, op.toString());
    }
  }

  @Test
  void expCoversItsRangeEnds() {
    assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(100f) * 0 + Float.POSITIVE_INFINITY);
    assertTrue(FastMath.exp(-100f) >= 0 && FastMath.exp(-100f) < 1e-37f);
    assertEquals(1f, FastMath.exp(0f));
    assertTrue(Float.isNaN(FastMath.exp(Float.NaN)));
    assertEquals(Math.exp(88), FastMath.exp(88f), Math.exp(88) * 3e-7);
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
  void everyOtherTakesEvenPositionsAndWritesNothingPast() {
    for (int n : new int[] {0, 1, 15, 16, 17, 55, 112}) {
      // the source ends exactly after its last even value: the vector loop must stop in time
      float[] src = new float[3 + 2 * n];
      for (int i = 0; i < src.length; i++) {
        src[i] = i;
      }
      float[] dst = new float[n + 40];
      java.util.Arrays.fill(dst, -1f);
      VectorMath.everyOther(src, 3, n, dst, 2);
      for (int i = 0; i < dst.length; i++) {
        assertEquals(i >= 2 && i < 2 + n ? 3 + 2 * (i - 2) : -1f, dst[i], "n " + n + ", " + i);
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
