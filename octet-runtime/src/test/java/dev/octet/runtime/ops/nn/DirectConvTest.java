package dev.octet.runtime.ops.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.WorkerPool;
import dev.octet.runtime.simd.Simd;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The direct small-image convolution against a plain loop over the definition. */
class DirectConvTest {
  @ParameterizedTest
  @CsvSource({
    "1, 8, 28, 28, 5, 2, 2, 2, 2",
    "8, 16, 14, 14, 5, 2, 2, 2, 2",
    "3, 5, 7, 9, 3, 0, 1, 1, 0",
    "2, 3, 11, 31, 3, 1, 1, 1, 1",
    "4, 2, 6, 32, 1, 0, 0, 0, 0",
    "1, 1, 1, 1, 1, 0, 0, 0, 0",
    "16, 33, 30, 30, 3, 0, 0, 0, 0"
  })
  void matchesTheDefinition(int c, int m, int h, int w, int k, int pt, int pl, int pb, int pr) {
    Attributes a =
        Attributes.of(
            Map.of(
                "pads", AttributeValue.ints(pt, pl, pb, pr),
                "kernel_shape", AttributeValue.ints(k, k)));
    ConvGeometry g = ConvGeometry.forConv(a, new int[] {1, c, h, w}, new int[] {m, c, k, k}, 1);
    // the kernel is checked on all these shapes, also those for which the GEMM is chosen, as long
    // as a row fits in two vectors (with 8-lane vectors, the 28- to 32-wide ones do not)
    assumeTrue(g.out()[1] <= 2 * Simd.F.length(), "rows wider than two vectors");
    assertTrue(k == 1 || c * k * k > 64 || DirectConv.applies(g, 1, c, m, new int[] {k, k}));
    Random r = new Random(c * 100L + h * 10L + w);
    float[] x = new float[c * h * w];
    float[] wt = new float[m * c * k * k];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < wt.length; i++) {
      wt[i] = (float) r.nextGaussian();
    }
    int oh = g.out()[0];
    int ow = g.out()[1];
    float[] y = new float[m * oh * ow + 3];
    DirectConv.run(x, 0, c, h, w, wt, m, g, y, 3, new ExecContext(new WorkerPool(2), 2));
    // nothing before the output (and nothing after it: y ends there)
    assertEquals(0f, y[0] + y[1] + y[2]);
    for (int oc = 0; oc < m; oc++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = 0;
          for (int ci = 0; ci < c; ci++) {
            for (int ky = 0; ky < k; ky++) {
              for (int kx = 0; kx < k; kx++) {
                int iy = oy - pt + ky;
                int ix = ox - pl + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                  s += (double) x[(ci * h + iy) * w + ix] * wt[((oc * c + ci) * k + ky) * k + kx];
                }
              }
            }
          }
          float got = y[3 + (oc * oh + oy) * ow + ox];
          assertEquals(s, got, 1e-4 * (1 + Math.abs(s)), oc + "," + oy + "," + ox);
        }
      }
    }
  }
}
