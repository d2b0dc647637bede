package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Maxima over windows of rows, for max pooling of planes held as rows (NCHW): the maxima of a few
 * rows, then of a few neighbouring columns every stride-th one; and the common 2 x 2 and 3 x 3
 * windows at stride 2 straight from their rows. Maxima are {@link #max}'s: NaN wins, in the vector
 * and the scalar forms alike.
 */
public final class WindowMax {
  private static final VectorSpecies<Float> S = Simd.F;

  /** Ints of the same shape as {@link #S}, for permutes on the floats' bits. */
  private static final VectorSpecies<Integer> INTS = S.withLanes(int.class);

  /** Lane i takes lane 2i of (a, b) in {@code a.rearrange(EVEN, b)}. */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);

  private WindowMax() {}

  /**
   * The larger of a and b, lane by lane; NaN where either is NaN; of two equal values (+0 and -0)
   * the first. Two compares and a blend: {@code FloatVector.max} (Math.max's rules, +0 over -0)
   * takes about twice the instructions with AVX2 (SqueezeNet on a Zen 1 EPYC at one thread, its
   * three poolings: 1.1-1.6% faster, interleaved in one JVM).
   */
  public static FloatVector max(FloatVector a, FloatVector b) {
    return a.blend(b, b.compare(VectorOperators.GT, a).or(b.compare(VectorOperators.NE, b)));
  }

  /** {@link #max(FloatVector, FloatVector)} for one value. */
  public static float max(float a, float b) {
    return b > a || b != b ? b : a;
  }

  /**
   * out[i] = max over r < rows of x[o + r*ld + i], for i < w: the elementwise maximum of {@code
   * rows} rows of width w, {@code ld} apart. Whole vectors only while they stay inside x: out needs
   * {@link #padded} room, and its lanes from w on are left with values of no meaning.
   */
  public static void maxRows(float[] x, int o, int ld, int w, int rows, float[] out) {
    int i = 0;
    if (Simd.ENABLED) {
      int last = o + (rows - 1) * ld;
      if (rows == 3) {
        // a 3-row window (the common 3 x 3 pooling) unrolled: the row loop cost as much as the max
        for (int l = S.length(); i < w && last + i + l <= x.length; i += l) {
          rows3(x, o + i, ld).intoArray(out, i);
        }
      }
      for (int l = S.length(); i < w && last + i + l <= x.length; i += l) {
        FloatVector v = FloatVector.fromArray(S, x, o + i);
        for (int r = 1; r < rows; r++) {
          v = max(v, FloatVector.fromArray(S, x, o + r * ld + i));
        }
        v.intoArray(out, i);
      }
    }
    for (; i < w; i++) {
      float v = x[o + i];
      for (int r = 1; r < rows; r++) {
        v = max(v, x[o + r * ld + i]);
      }
      out[i] = v;
    }
  }

  /**
   * out[i] = max(c[s + i*stride], ..., c[s + i*stride + k - 1]) for i < n: the windows of k
   * neighbours every stride-th position of a row (stride 1 and 2 vectorised: for stride 2 the even
   * lanes of loads at s + 2i + j). c and out need {@link #padded} room; out's lanes from n on are
   * left with values of no meaning.
   */
  public static void windowMax(float[] c, int s, int k, int stride, int n, float[] out) {
    int i = 0;
    int l = S.length();
    if (Simd.ENABLED && stride == 1) {
      for (; i < n && s + i + k - 1 + l <= c.length; i += l) {
        FloatVector v = FloatVector.fromArray(S, c, s + i);
        for (int j = 1; j < k; j++) {
          v = max(v, FloatVector.fromArray(S, c, s + i + j));
        }
        v.intoArray(out, i);
      }
    } else if (Simd.ENABLED && stride == 2) {
      if (k == 3) {
        for (; i < n && s + 2 * i + 2 + 2 * l <= c.length; i += l) {
          int at = s + 2 * i;
          FloatVector v0 =
              FloatVector.fromArray(S, c, at).rearrange(EVEN, FloatVector.fromArray(S, c, at + l));
          FloatVector v1 =
              FloatVector.fromArray(S, c, at + 1)
                  .rearrange(EVEN, FloatVector.fromArray(S, c, at + 1 + l));
          FloatVector v2 =
              FloatVector.fromArray(S, c, at + 2)
                  .rearrange(EVEN, FloatVector.fromArray(S, c, at + 2 + l));
          max(max(v0, v1), v2).intoArray(out, i);
        }
      }
      for (; i < n && s + 2 * i + k - 1 + 2 * l <= c.length; i += l) {
        int at = s + 2 * i;
        FloatVector v =
            FloatVector.fromArray(S, c, at).rearrange(EVEN, FloatVector.fromArray(S, c, at + l));
        for (int j = 1; j < k; j++) {
          v =
              max(
                  v,
                  FloatVector.fromArray(S, c, at + j)
                      .rearrange(EVEN, FloatVector.fromArray(S, c, at + j + l)));
        }
        v.intoArray(out, i);
      }
    }
    for (; i < n; i++) {
      float v = c[s + i * stride];
      for (int j = 1; j < k; j++) {
        v = max(v, c[s + i * stride + j]);
      }
      out[i] = v;
    }
  }

  /**
   * y[yo + i] = the maximum of x[o + r * ld + 2i + j] over r, j &lt; 3, for i &lt; n: a row of 3 x
   * 3 windows at stride 2 (the common max pooling) straight from its three input rows. With c the
   * column maxima of the rows, L outputs (a vector's lanes, 16 with AVX-512) take the maxima of
   * c[2i], c[2i + 1] and c[2i + 2]: the even lanes, the odd lanes, and the even lanes moved on by
   * one lane into the next L columns, whose maxima the next L outputs start from. The row maxima
   * then the column maxima, through a scratch row, took 1.3-1.5x as long on SqueezeNet's 27- and
   * 55-wide planes. Whole vectors read up to 2i + 3L on each row, so rows are followed by other
   * values or by the array's end (checked); {@code tail} holds L floats, for rows of fewer than L
   * outputs.
   */
  public static void max3x3Stride2(
      float[] x, int o, int ld, int n, float[] y, int yo, float[] tail) {
    int i = 0;
    int l = S.length();
    // one past the last value that the L outputs from 0 read
    int reach = o + 2 * ld + 3 * l;
    if (Simd.ENABLED && n > 0 && reach <= x.length) {
      FloatVector from = rows3(x, o, ld);
      for (; i < n; i += l) {
        // the last L outputs end at n (some computed twice, the same way)
        int at = i + l <= n ? i : Math.max(0, n - l);
        if (reach + 2 * at > x.length) {
          break;
        }
        int c = o + 2 * at;
        FloatVector lo = at == i ? from : rows3(x, c, ld);
        FloatVector hi = rows3(x, c + l, ld);
        FloatVector up = rows3(x, c + 2 * l, ld);
        IntVector loBits = lo.reinterpretAsInts();
        IntVector hiBits = hi.reinterpretAsInts();
        IntVector evenBits = EVEN_INDEX.selectFrom(loBits, hiBits);
        FloatVector odd = ODD_INDEX.selectFrom(loBits, hiBits).reinterpretAsFloats();
        FloatVector next =
            NEXT_INDEX.selectFrom(evenBits, up.reinterpretAsInts()).reinterpretAsFloats();
        FloatVector m = max(max(evenBits.reinterpretAsFloats(), odd), next);
        from = up;
        store(m, at, n, y, yo, tail);
      }
    }
    for (; i < n; i++) {
      float v = Float.NEGATIVE_INFINITY;
      for (int r = 0; r < 3; r++) {
        for (int j = 0; j < 3; j++) {
          v = max(v, x[o + r * ld + 2 * i + j]);
        }
      }
      y[yo + i] = v;
    }
  }

  /**
   * y[yo + i] = the maximum of x[o + r * ld + 2i + j] over r, j &lt; 2, for i &lt; n: a row of 2 x
   * 2 windows at stride 2 straight from its two input rows, L outputs at a time from the even and
   * odd lanes of the column maxima (mnist-8's first pooling: 14 outputs a row). Whole vectors read
   * up to 2i + 2L on each row; {@code tail} holds L floats, for rows of fewer than L outputs.
   */
  public static void max2x2Stride2(
      float[] x, int o, int ld, int n, float[] y, int yo, float[] tail) {
    int i = 0;
    int l = S.length();
    // one past the last value that the L outputs from 0 read
    int reach = o + ld + 2 * l;
    if (Simd.ENABLED) {
      for (; i < n; i += l) {
        int at = i + l <= n ? i : Math.max(0, n - l);
        if (reach + 2 * at > x.length) {
          break;
        }
        int c = o + 2 * at;
        FloatVector lo = max(FloatVector.fromArray(S, x, c), FloatVector.fromArray(S, x, c + ld));
        FloatVector hi =
            max(FloatVector.fromArray(S, x, c + l), FloatVector.fromArray(S, x, c + l + ld));
        IntVector loBits = lo.reinterpretAsInts();
        IntVector hiBits = hi.reinterpretAsInts();
        FloatVector m =
            max(
                EVEN_INDEX.selectFrom(loBits, hiBits).reinterpretAsFloats(),
                ODD_INDEX.selectFrom(loBits, hiBits).reinterpretAsFloats());
        store(m, at, n, y, yo, tail);
      }
    }
    for (; i < n; i++) {
      int c = o + 2 * i;
      y[yo + i] = max(max(x[c], x[c + 1]), max(x[c + ld], x[c + ld + 1]));
    }
  }

  /**
   * The L outputs from {@code at} into y[yo + at...], or the first n through {@code tail} when a
   * row has fewer than L.
   */
  private static void store(FloatVector m, int at, int n, float[] y, int yo, float[] tail) {
    if (at + S.length() <= n) {
      m.intoArray(y, yo + at);
    } else {
      m.intoArray(tail, 0);
      System.arraycopy(tail, 0, y, yo, n);
    }
  }

  /** The maximum of the vectors at x[c], x[c + ld] and x[c + 2 * ld]. */
  private static FloatVector rows3(float[] x, int c, int ld) {
    return max(
        max(FloatVector.fromArray(S, x, c), FloatVector.fromArray(S, x, c + ld)),
        FloatVector.fromArray(S, x, c + 2 * ld));
  }

  /**
   * Lane i: 2i, 2i + 1 and i + 1, as {@code selectFrom}'s indexes into two vectors. The permutes
   * run on the floats' bits with int indexes: with float indexes C2 converts them to ints, with
   * Java's range rules, at every use (fire3's pooling, 128 x 55 x 55, in a harness on a Zen 5 EPYC
   * with AVX-512: 77-79 -> 66-67 us; on a Zen 1 EPYC with AVX2, where these permutes are three
   * two-source vpermps each, the same pooling takes 270-350 us).
   */
  private static final IntVector EVEN_INDEX = laneIndexes(2, 0);

  private static final IntVector ODD_INDEX = laneIndexes(2, 1);

  private static final IntVector NEXT_INDEX = laneIndexes(1, 1);

  private static IntVector laneIndexes(int step, int first) {
    int[] v = new int[S.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = step * i + first;
    }
    return IntVector.fromArray(INTS, v, 0);
  }

  /**
   * The length of a scratch row for n values that whole-vector loops may run past (twice n: a
   * stride-2 row of windows reads two vectors per output vector).
   */
  public static int padded(int n) {
    return 2 * n + 4 * S.length();
  }
}
