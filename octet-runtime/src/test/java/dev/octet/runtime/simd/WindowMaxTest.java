package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Window maxima against their definition (Math.max over the window: Gaussian data has no ties,
 * where {@link WindowMax#max} may differ from it), for odd widths, rows whose last one ends at the
 * array's end, and NaNs in the window, first or later in the order of the maxima.
 */
class WindowMaxTest {
  @Test
  void rowAndWindowMaximaMatchTheDefinitionForOddWidths() {
    java.util.Random r = new java.util.Random(5);
    for (int w : new int[] {1, 7, 16, 17, 109, 111}) {
      for (int rows = 1; rows <= 3; rows++) {
        // rows w apart or further (a convolution's grid); the last row ends exactly at the array's
        // end: the vector loop must stop before running past
        int ld = rows == 3 ? w + 3 : w;
        float[] x = new float[(rows - 1) * ld + w + 5];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) r.nextGaussian();
        }
        x[5 + w / 2] = Float.NaN;
        x[5 + (rows - 1) * ld + w / 3] = Float.NaN;
        float[] out = new float[WindowMax.padded(w)];
        WindowMax.maxRows(x, 5, ld, w, rows, out);
        for (int i = 0; i < w; i++) {
          float expected = x[5 + i];
          for (int k = 1; k < rows; k++) {
            expected = Math.max(expected, x[5 + k * ld + i]);
          }
          assertEquals(
              Float.floatToIntBits(expected), Float.floatToIntBits(out[i]), "w " + w + ", " + i);
        }
        for (int stride = 1; stride <= 3; stride++) {
          int k = rows + 1;
          int n = w < k + 2 ? 0 : (w - k - 2) / stride + 1;
          float[] win = new float[WindowMax.padded(n)];
          WindowMax.windowMax(out, 2, k, stride, n, win);
          for (int i = 0; i < n; i++) {
            float expected = out[2 + i * stride];
            for (int j = 1; j < k; j++) {
              expected = Math.max(expected, out[2 + i * stride + j]);
            }
            assertEquals(
                Float.floatToIntBits(expected),
                Float.floatToIntBits(win[i]),
                "k " + k + ", stride " + stride + ", " + i);
          }
        }
      }
    }
  }

  @Test
  void maxKeepsNaNFromEitherSide() {
    float nan = Float.NaN;
    for (int lanes = 0; lanes < 2; lanes++) {
      float[][] cases = {
        {1f, 2f, 2f}, {2f, 1f, 2f}, {nan, 1f, nan}, {1f, nan, nan}, {-3f, -3f, -3f}
      };
      for (float[] c : cases) {
        float got =
            lanes == 0
                ? WindowMax.max(c[0], c[1])
                : WindowMax.max(
                        jdk.incubator.vector.FloatVector.broadcast(Simd.F, c[0]),
                        jdk.incubator.vector.FloatVector.broadcast(Simd.F, c[1]))
                    .lane(Simd.F.length() - 1);
        assertEquals(Float.floatToIntBits(c[2]), Float.floatToIntBits(got), c[0] + ", " + c[1]);
      }
    }
  }

  @Test
  void strideTwoWindowsMatchTheDefinitionAndWriteNothingPast() {
    java.util.Random r = new java.util.Random(9);
    for (int k = 2; k <= 3; k++) {
      for (int n : new int[] {1, 6, 13, 14, 15, 16, 17, 27, 38, 54}) {
        for (boolean tight : new boolean[] {false, true}) {
          // k rows ld apart; tight: the last row ends at the array's end, where whole vectors
          // would run past it
          int w = 2 * n + k - 2;
          int ld = w + 2;
          float[] x = new float[4 + (k - 1) * ld + w + (tight ? 0 : 40)];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
          }
          x[4 + ld + n] = Float.NaN;
          float[] y = new float[n + 10];
          java.util.Arrays.fill(y, -7f);
          if (k == 2) {
            WindowMax.max2x2Stride2(x, 4, ld, n, y, 3, new float[Simd.F.length()]);
          } else {
            WindowMax.max3x3Stride2(x, 4, ld, n, y, 3, new float[Simd.F.length()]);
          }
          for (int i = 0; i < y.length; i++) {
            float expected = -7f;
            if (i >= 3 && i < 3 + n) {
              expected = Float.NEGATIVE_INFINITY;
              for (int row = 0; row < k; row++) {
                for (int j = 0; j < k; j++) {
                  expected = Math.max(expected, x[4 + row * ld + 2 * (i - 3) + j]);
                }
              }
            }
            assertEquals(
                Float.floatToIntBits(expected),
                Float.floatToIntBits(y[i]),
                k + "x" + k + ", n " + n + (tight ? " (tight)" : "") + ", " + i);
          }
        }
      }
    }
  }
}
