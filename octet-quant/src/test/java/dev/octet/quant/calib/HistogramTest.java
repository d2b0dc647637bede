package dev.octet.quant.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.OctetException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramTest {
  static float[] gaussian(Random r, int n, double sigma) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * sigma);
    }
    return x;
  }

  static Histogram of(float[]... batches) {
    Histogram h = new Histogram();
    for (float[] b : batches) {
      h.observe(b);
    }
    return h;
  }

  static float[] concat(float[] a, float[] b) {
    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void mergingEqualsObservingEverythingAtOnce() {
    Random r = new Random(21);
    for (int trial = 0; trial < 30; trial++) {
      float[] a = gaussian(r, 1 + r.nextInt(3000), Math.pow(10, r.nextInt(7) - 3));
      float[] b = gaussian(r, 1 + r.nextInt(3000), Math.pow(10, r.nextInt(7) - 3));
      Histogram merged = of(a);
      merged.merge(of(b));
      assertEquals(of(concat(a, b)), merged, "trial " + trial);
      assertEquals(of(concat(a, b)), of(a, b), "streaming, trial " + trial);
      Histogram other = of(b);
      other.merge(of(a));
      assertEquals(merged, other, "merge order, trial " + trial);
    }
  }

  @Test
  void minMaxAreExactAndNonFiniteValuesAreCountedApart() {
    Histogram h = of(new float[] {-3.5f, 2f, Float.NaN, 7.25f, Float.POSITIVE_INFINITY, 0f});
    assertEquals(-3.5f, h.min());
    assertEquals(7.25f, h.max());
    assertEquals(4, h.count());
    assertEquals(2, h.nonFinite());
    assertTrue(
        h.binWidth() * Histogram.BINS > 7.25 && h.binWidth() * Histogram.BINS <= 2 * 7.25 * 1.0001);
    assertThrows(OctetException.class, () -> new Histogram().min());
  }

  @Test
  void percentileFindsTheKnownQuantile() {
    float[] x = new float[100_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 0.5f;
    }
    Histogram h = of(x);
    float[] r = new Percentile(99).range(h, true);
    assertEquals(99_000, r[1], 2 * h.binWidth());
    assertEquals(0.5f, r[0]); // clipped to the observed minimum
    float[] all = new Percentile(100).range(h, true);
    assertEquals(h.max(), all[1]);
    // asymmetric: 0.5% cut from each tail of a signed uniform distribution
    float[] s = new float[200_000];
    for (int i = 0; i < s.length; i++) {
      s[i] = i - 100_000 + 0.5f;
    }
    float[] a = new Percentile(99).range(of(s), false);
    assertEquals(-99_000, a[0], 200);
    assertEquals(99_000, a[1], 200);
  }

  @Test
  void entropyClipsRareOutliersButKeepsTheBulk() {
    Random r = new Random(5);
    float[] x = gaussian(r, 200_000, 1.0);
    for (int i = 0; i < 20; i++) {
      x[i] = 100f * (i % 2 == 0 ? 1 : -1);
    }
    Histogram h = of(x);
    float[] range = new Entropy(Entropy.DEFAULT_LEVELS).range(h, true);
    assertTrue(range[1] > 2.5f && range[1] < 20f, "entropy picked " + range[1]);
    assertEquals(-range[1], range[0]);
    assertEquals(100f, new MinMax().range(h, true)[1]);
  }

  @Test
  void mseClipsTheGaussianTailButNotFarOutliersThatWouldCostMore() {
    Random r = new Random(6);
    Histogram gauss = of(gaussian(r, 200_000, 1.0));
    float t = new Mse().range(gauss, true)[1];
    assertTrue(t > 2.5f && t < gauss.max(), "mse picked " + t + " of max " + gauss.max());
    // 20 values at +-100 among 200,000: clipping them to 10 would cost 20 * 90^2, far more than
    // the rounding error it saves on the bulk, so MSE keeps them
    float[] x = gaussian(r, 200_000, 1.0);
    for (int i = 0; i < 20; i++) {
      x[i] = 100f * (i % 2 == 0 ? 1 : -1);
    }
    assertTrue(new Mse().range(of(x), true)[1] > 90f);
  }

  @Test
  void movingAverageFollowsBatchRangesSlowly() {
    Histogram h = new Histogram();
    h.observe(new float[] {-1f, 0.5f, 1f});
    h.observe(new float[] {-3f, 5f, Float.NaN});
    h.observe(new float[] {Float.NaN}); // no finite value: not a batch
    assertEquals(2, h.batches());
    assertEquals(-1f + 0.01f * (-3f + 1f), h.movingMin(), 1e-6f);
    assertEquals(1f + 0.01f * (5f - 1f), h.movingMax(), 1e-6f);
    float[] r = RangeEstimator.parse("moving-minmax").range(h, false);
    assertEquals(h.movingMin(), r[0]);
    assertEquals(h.movingMax(), r[1]);
    // the exact min and max still see the outlying batch
    assertEquals(5f, new MinMax().range(h, false)[1]);
    // merged by batch count: the histograms stay exact, the moving average is weighted
    Histogram a = new Histogram();
    a.observe(new float[] {-2f, 2f});
    Histogram b = new Histogram();
    b.observe(new float[] {-4f, 4f});
    b.observe(new float[] {-4f, 4f});
    a.merge(b);
    assertEquals(3, a.batches());
    assertEquals((2f + 2 * 4f) / 3, a.movingMax(), 1e-6f);
  }

  @Test
  void estimatorsAreParsedByName() {
    assertEquals(new Percentile(99.99), RangeEstimator.parse("percentile:99.99"));
    assertEquals(new Percentile(Percentile.DEFAULT), RangeEstimator.parse("percentile"));
    assertEquals(new Entropy(128), RangeEstimator.parse("entropy"));
    assertThrows(OctetException.class, () -> RangeEstimator.parse("magic"));
  }
}
