package dev.octet.quant.calib;

import dev.octet.core.OctetException;
import java.util.Arrays;

/**
 * Streaming statistics of one tensor: exact min and max, and histograms of the magnitudes of the
 * positive and of the negative values over the same bins [k w, (k+1) w), k < {@link #BINS}.
 *
 * <p>The bin width w is always a power of two. When a value needs a wider range, adjacent bin pairs
 * merge and w doubles. So observing batches one by one, or merging the histograms of two halves,
 * gives exactly the histogram of observing everything at once: floor(|x| / 2^j) halved (k - j)
 * times is floor(|x| / 2^k). Calibration can stream, run in parallel and merge, and never keeps an
 * activation after its batch.
 */
public final class Histogram {
  /** Bins per side. The used part spans between half and all of them. */
  public static final int BINS = 2048;

  /** The moving average's constant: r += c * (batch range - r) per batch after the first. */
  public static final float MOVING_AVERAGE = 0.01f;

  private final long[] pos = new long[BINS];
  private final long[] neg = new long[BINS];
  private int exp = Integer.MIN_VALUE;
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;
  private long count;
  private long nonFinite;
  private float movingMin = Float.NaN;
  private float movingMax = Float.NaN;
  private long batches;

  /**
   * Adds the finite values of {@code x[off..off+n)} as one batch; NaN and infinities are counted
   * apart.
   */
  public void observe(float[] x, int off, int n) {
    float batchMax = 0;
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (int i = off; i < off + n; i++) {
      float v = x[i];
      if (Float.isFinite(v)) {
        batchMax = Math.max(batchMax, Math.abs(v));
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo <= hi) {
      // moving average of the per-batch range (PyTorch's MovingAverageMinMaxObserver, c = 0.01)
      if (batches == 0) {
        movingMin = lo;
        movingMax = hi;
      } else {
        movingMin += MOVING_AVERAGE * (lo - movingMin);
        movingMax += MOVING_AVERAGE * (hi - movingMax);
      }
      batches++;
    }
    growTo(batchMax);
    double inv = exp == Integer.MIN_VALUE ? 0 : Math.scalb(1.0, -exp);
    for (int i = off; i < off + n; i++) {
      float v = x[i];
      if (!Float.isFinite(v)) {
        nonFinite++;
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      count++;
      int b = (int) Math.min(BINS - 1, Math.floor(Math.abs(v) * inv));
      if (v < 0) {
        neg[b]++;
      } else {
        pos[b]++;
      }
    }
  }

  public void observe(float[] x) {
    observe(x, 0, x.length);
  }

  /**
   * Widens the bins (doubling w, merging pairs) until {@code magnitude} falls in the last bin or
   * below.
   */
  private void growTo(float magnitude) {
    if (magnitude <= 0) {
      return;
    }
    // |x| in [2^e, 2^(e+1)): w = 2^(e-10) is the smallest power of two with |x| / w < 2048
    int need = Math.getExponent(magnitude) - (Integer.numberOfTrailingZeros(BINS) - 1);
    if (exp == Integer.MIN_VALUE) {
      exp = need;
      return;
    }
    while (exp < need) {
      coarsen(pos);
      coarsen(neg);
      exp++;
    }
  }

  private static void coarsen(long[] h) {
    for (int i = 0; i < BINS / 2; i++) {
      h[i] = h[2 * i] + h[2 * i + 1];
    }
    Arrays.fill(h, BINS / 2, BINS, 0);
  }

  /** Adds {@code other} into this histogram (both may have been built from any batches). */
  public void merge(Histogram other) {
    if (other.count == 0 && other.nonFinite == 0) {
      return;
    }
    Histogram o = other.copy();
    if (o.exp != Integer.MIN_VALUE) {
      if (exp == Integer.MIN_VALUE) {
        exp = o.exp;
      }
      while (exp < o.exp) {
        coarsen(pos);
        coarsen(neg);
        exp++;
      }
      while (o.exp < exp) {
        coarsen(o.pos);
        coarsen(o.neg);
        o.exp++;
      }
    }
    for (int i = 0; i < BINS; i++) {
      pos[i] += o.pos[i];
      neg[i] += o.neg[i];
    }
    min = Math.min(min, o.min);
    max = Math.max(max, o.max);
    count += o.count;
    nonFinite += o.nonFinite;
    if (o.batches > 0) {
      // the moving average depends on batch order, so it is the one statistic that merges only
      // approximately: weighted by the batches each side saw
      double w = batches / (double) (batches + o.batches);
      movingMin = batches == 0 ? o.movingMin : (float) (w * movingMin + (1 - w) * o.movingMin);
      movingMax = batches == 0 ? o.movingMax : (float) (w * movingMax + (1 - w) * o.movingMax);
      batches += o.batches;
    }
  }

  public Histogram copy() {
    Histogram h = new Histogram();
    System.arraycopy(pos, 0, h.pos, 0, BINS);
    System.arraycopy(neg, 0, h.neg, 0, BINS);
    h.exp = exp;
    h.min = min;
    h.max = max;
    h.count = count;
    h.nonFinite = nonFinite;
    h.movingMin = movingMin;
    h.movingMax = movingMax;
    h.batches = batches;
    return h;
  }

  /** Width of a bin; 0 while only zeros have been seen. */
  public double binWidth() {
    return exp == Integer.MIN_VALUE ? 0 : Math.scalb(1.0, exp);
  }

  /** Counts of |x| per bin (positive and negative values together). */
  public long[] magnitudes() {
    long[] h = new long[BINS];
    for (int i = 0; i < BINS; i++) {
      h[i] = pos[i] + neg[i];
    }
    return h;
  }

  public long[] positive() {
    return pos.clone();
  }

  public long[] negative() {
    return neg.clone();
  }

  /** The moving average of the batches' minima (NaN before any finite value). */
  public float movingMin() {
    requireData();
    return movingMin;
  }

  /** The moving average of the batches' maxima (NaN before any finite value). */
  public float movingMax() {
    requireData();
    return movingMax;
  }

  /** Batches with at least one finite value. */
  public long batches() {
    return batches;
  }

  public float min() {
    requireData();
    return min;
  }

  public float max() {
    requireData();
    return max;
  }

  public long count() {
    return count;
  }

  /** NaN and infinite values seen (excluded from the statistics). */
  public long nonFinite() {
    return nonFinite;
  }

  private void requireData() {
    if (count == 0) {
      throw new OctetException(
          "no finite values were observed"
              + (nonFinite > 0 ? " (" + nonFinite + " NaN or infinite)" : ""));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Histogram h
        && h.exp == exp
        && Float.compare(h.min, min) == 0
        && Float.compare(h.max, max) == 0
        && h.count == count
        && h.nonFinite == nonFinite
        && Arrays.equals(h.pos, pos)
        && Arrays.equals(h.neg, neg);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count) * 31 + exp;
  }
}
