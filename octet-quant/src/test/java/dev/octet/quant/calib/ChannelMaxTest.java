package dev.octet.quant.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChannelMaxTest {
  @Test
  void mergingEqualsObservingEverythingAtOnce() {
    Random r = new Random(5);
    for (int trial = 0; trial < 20; trial++) {
      int c = 1 + r.nextInt(40);
      float[] a = HistogramTest.gaussian(r, c * (1 + r.nextInt(30)), 3);
      float[] b = HistogramTest.gaussian(r, c * (1 + r.nextInt(30)), 0.5);
      ChannelMax left = of(a, c);
      left.merge(of(b, c));
      ChannelMax all = of(HistogramTest.concat(a, b), c);
      assertEquals(all, left);
      ChannelMax streamed = of(a, c);
      streamed.observe(Tensor.wrap(b, b.length / c, c));
      assertEquals(all, streamed);
    }
  }

  @Test
  void keepsTheLargestMagnitudePerLastAxisChannelAndIgnoresNonFiniteValues() {
    ChannelMax m = new ChannelMax();
    m.observe(
        Tensor.wrap(
            new float[] {1, -7, Float.NaN, -2, 3, Float.POSITIVE_INFINITY, 0.5f, -0.5f, 4}, 3, 3));
    assertArrayEquals(new float[] {2, 7, 4}, m.values());
    assertEquals(0, new ChannelMax().values().length);
  }

  @Test
  void aChangingChannelCountIsAClearError() {
    ChannelMax m = of(new float[] {1, 2, 3, 4}, 4);
    OctetException e =
        assertThrows(OctetException.class, () -> m.observe(Tensor.wrap(new float[6], 2, 3)));
    assertTrue(e.getMessage().contains("from 4 to 3 channels"), e.getMessage());
  }

  private static ChannelMax of(float[] x, int c) {
    ChannelMax m = new ChannelMax();
    m.observe(Tensor.wrap(x, x.length / c, c));
    return m;
  }
}
