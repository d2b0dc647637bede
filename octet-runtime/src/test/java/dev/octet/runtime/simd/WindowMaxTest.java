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
  void twoByTwoStrideTwoWindowsMatchTheDefinitionAndWriteNothingPast() {
    java.util.Random r = new java.util.Random(9);
    int k = 2;
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
        WindowMax.max2x2Stride2(x, 4, ld, n, y, 3, new float[Simd.F.length()]);
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
              "n " + n + (tight ? " (tight)" : "") + ", " + i);
        }
      }
    }
  }

  /**
   * Blocks of 3 x 3 stride-2 rows against {@link WindowMax#max} over each window, columns first
   * (the kernel's order, which decides between +0 and -0): without NaN (the two-instruction
   * maxima), with a NaN in any of a window's three rows or columns, and with +inf and -inf (whose
   * sum is NaN: the block is done again), with -1, -0 and +0 only, for rows ending at the array's
   * end, scratch for one row or for all, and rows of fewer outputs than half a vector.
   */
  @Test
  void threeByThreeStrideTwoBlocksAreMaxBitForBit() {
    java.util.Random r = new java.util.Random(11);
    String[] kinds = {"plain", "NaN", "infinities", "zeros"};
    for (int n : new int[] {1, 3, 4, 5, 7, 8, 9, 13, 16, 17, 27, 38}) {
      for (int rows : new int[] {1, 2, 5}) {
        for (String kind : kinds) {
          for (boolean tight : new boolean[] {false, true}) {
            for (boolean oneRowOfScratch : new boolean[] {false, true}) {
              int w = 2 * n + 1;
              int ld = w + 3;
              float[] x = new float[4 + 2 * rows * ld + w + (tight ? 0 : 40)];
              for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
              }
              int row = r.nextInt(2 * rows + 1);
              int col = r.nextInt(w);
              switch (kind) {
                case "NaN" -> x[4 + row * ld + col] = Float.NaN;
                case "infinities" -> {
                  x[4 + row * ld + col] = Float.POSITIVE_INFINITY;
                  x[4 + (2 * rows - row) * ld + (w - 1 - col)] = Float.NEGATIVE_INFINITY;
                }
                case "zeros" -> {
                  for (int i = 0; i < x.length; i++) {
                    x[i] = new float[] {-1f, -0f, 0f}[r.nextInt(3)];
                  }
                }
                default -> {}
              }
              int ldy = n + 2;
              float[] y = new float[3 + rows * ldy + 5];
              java.util.Arrays.fill(y, -7f);
              float[] scratch = new float[WindowMax.stride2Scratch(n, oneRowOfScratch ? 1 : rows)];
              WindowMax.max3x3Stride2(x, 4, ld, n, rows, y, 3, ldy, scratch);
              for (int i = 0; i < y.length; i++) {
                int out = i - 3;
                float expected = -7f;
                if (out >= 0 && out / ldy < rows && out % ldy < n) {
                  int c = 4 + 2 * (out / ldy) * ld + 2 * (out % ldy);
                  float[] columns = new float[3];
                  for (int j = 0; j < 3; j++) {
                    columns[j] =
                        WindowMax.max(WindowMax.max(x[c + j], x[c + ld + j]), x[c + 2 * ld + j]);
                  }
                  expected = WindowMax.max(WindowMax.max(columns[0], columns[1]), columns[2]);
                }
                assertEquals(
                    Float.floatToIntBits(expected),
                    Float.floatToIntBits(y[i]),
                    kind + ", n " + n + ", rows " + rows + (tight ? " (tight)" : "") + ", " + i);
              }
            }
          }
        }
      }
    }
  }
}
