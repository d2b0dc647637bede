package dev.octet.runtime.simd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
   * Output rows of 3 x 3 windows at stride 2 (the common max pooling) straight from their input
   * rows: y[yo + r * ldy + i] = the maximum of x[o + (2r + a) * ld + 2i + b] over a, b &lt; 3, for
   * r &lt; rows and i &lt; n. A block of rows at a time:
   *
   * <ul>
   *   <li>each output row's column maxima (of its three input rows) go to {@code scratch};
   *   <li>then the maxima of three neighbouring column maxima, at every column, of which a
   *       narrowing from longs to ints keeps the even lanes (a long's low half, little-endian as on
   *       x86 and AArch64; {@code WindowMaxTest} would fail otherwise): half a vector of outputs
   *       with no lane permutes (a two-source {@code vpermps} per input vector took most of the
   *       time on a Zen 1).
   * </ul>
   *
   * The maxima are a compare and a blend ({@link #fastMax}), which drops a NaN in its second
   * operand; a sum of the block's inputs is NaN where any of them is (or where +inf meets -inf),
   * and such a block is done again with {@link #max}. So the results are {@link #max}'s, bit for
   * bit (lanes read past a row's end are summed too: a NaN there costs the second pass, nothing
   * else). Whole blocks before their windows also let the column maxima's stores reach the cache
   * before the loads that span two of them. Fire3's pooling in SqueezeNet (128 x 55 x 55) on a Zen
   * 1 EPYC at one thread, in a harness: 260 -> 147 us, and fire5's (256 x 27 x 27) 155 -> 90 us,
   * against one row at a time through three permutes per 8 outputs.
   *
   * <p>Whole vectors read at most {@link Simd#F}'s length past a row's last window, or stop at the
   * array's end (checked). {@code scratch} holds at least {@link #stride2Scratch}(n, 1) floats;
   * more lets a block hold more rows.
   */
  public static void max3x3Stride2(
      float[] x, int o, int ld, int n, int rows, float[] y, int yo, int ldy, float[] scratch) {
    int l = S.length();
    if (!Simd.ENABLED || n < l / 2) {
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) {
          // columns first, as the vectors take them (which decides between +0 and -0)
          int c = o + 2 * r * ld + 2 * i;
          float v = max(max(x[c], x[c + ld]), x[c + 2 * ld]);
          v = max(v, max(max(x[c + 1], x[c + 1 + ld]), x[c + 1 + 2 * ld]));
          y[yo + r * ldy + i] = max(v, max(max(x[c + 2], x[c + 2 + ld]), x[c + 2 + 2 * ld]));
        }
      }
      return;
    }
    int vw = columnRow(n);
    int block = Math.max(1, scratch.length / vw);
    for (int r0 = 0; r0 < rows; r0 += block) {
      int r1 = Math.min(rows, r0 + block);
      boolean nanFree = columnMaxima(x, o, ld, n, r0, r1, scratch, vw, true);
      if (!nanFree) {
        columnMaxima(x, o, ld, n, r0, r1, scratch, vw, false);
      }
      for (int r = r0; r < r1; r++) {
        windowRow(scratch, (r - r0) * vw, n, y, yo + r * ldy, nanFree);
      }
    }
  }

  /** Floats of scratch for {@link #max3x3Stride2}'s rows of n outputs, a block of up to rows. */
  public static int stride2Scratch(int n, int rows) {
    int vw = columnRow(n);
    return Math.max(1, Math.min(rows, BLOCK_FLOATS / vw)) * vw;
  }

  /** Column maxima rows in a block: 16 KB, half of a Zen 1's L1 data cache. */
  private static final int BLOCK_FLOATS = 4096;

  /**
   * A scratch row for 2n + 1 column maxima and one more (the last window's odd lane reads it), in
   * whole vectors.
   */
  private static int columnRow(int n) {
    return (2 * n + 1 + S.length()) / S.length() * S.length();
  }

  /**
   * The column maxima of output rows [r0, r1) into v, row r at (r - r0) * vw: with {@link #fastMax}
   * when fast, and then whether no input was NaN (false: do it again with fast false).
   */
  private static boolean columnMaxima(
      float[] x, int o, int ld, int n, int r0, int r1, float[] v, int vw, boolean fast) {
    int w = 2 * n + 1;
    int l = S.length();
    FloatVector sum = FloatVector.zero(S);
    boolean nan = false;
    for (int r = r0; r < r1; r++) {
      int c = o + 2 * r * ld;
      int vo = (r - r0) * vw;
      int j = 0;
      for (; j < w && c + 2 * ld + j + l <= x.length; j += l) {
        FloatVector a = FloatVector.fromArray(S, x, c + j);
        FloatVector b = FloatVector.fromArray(S, x, c + ld + j);
        FloatVector d = FloatVector.fromArray(S, x, c + 2 * ld + j);
        if (fast) {
          sum = sum.add(a.add(b).add(d));
          fastMax(fastMax(a, b), d).intoArray(v, vo + j);
        } else {
          max(max(a, b), d).intoArray(v, vo + j);
        }
      }
      for (; j < w; j++) {
        float a = x[c + j];
        float b = x[c + ld + j];
        float d = x[c + 2 * ld + j];
        nan |= a != a || b != b || d != d;
        v[vo + j] = max(max(a, b), d);
      }
    }
    return !nan && !sum.compare(VectorOperators.NE, sum).anyTrue();
  }

  /**
   * One output row from its column maxima at v[vo...], half a vector of outputs at a time (the last
   * ones end at n, overlapping the ones before); n is at least half a vector.
   */
  private static void windowRow(float[] v, int vo, int n, float[] y, int yo, boolean nanFree) {
    int h = S.length() / 2;
    MemorySegment out = MemorySegment.ofArray(y);
    for (int i = 0; ; i += h) {
      int at = Math.min(i, n - h);
      int c = vo + 2 * at;
      FloatVector a = FloatVector.fromArray(S, v, c);
      FloatVector b = FloatVector.fromArray(S, v, c + 1);
      FloatVector d = FloatVector.fromArray(S, v, c + 2);
      FloatVector m = nanFree ? fastMax(fastMax(a, b), d) : max(max(a, b), d);
      // half-width floats: stored through a memory segment, not intoArray (see Simd)
      m.reinterpretAsLongs()
          .convertShape(VectorOperators.L2I, HALF_INTS, 0)
          .reinterpretAsFloats()
          .intoMemorySegment(out, 4L * (yo + at), NATIVE);
      if (at + h >= n) {
        return;
      }
    }
  }

  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  /** Ints in half a vector: the even lanes of a float vector, narrowed from its longs. */
  private static final VectorSpecies<Integer> HALF_INTS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

  /**
   * The larger of a and b, lane by lane, a where b is NaN: {@link #max} for inputs without NaN, in
   * two instructions instead of four.
   */
  private static FloatVector fastMax(FloatVector a, FloatVector b) {
    return a.blend(b, b.compare(VectorOperators.GT, a));
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
   * Lane i: 2i and 2i + 1, as {@code selectFrom}'s indexes into two vectors ({@link
   * #max2x2Stride2}). The permutes run on the floats' bits with int indexes: with float indexes C2
   * converts them to ints, with Java's range rules, at every use.
   */
  private static final IntVector EVEN_INDEX = laneIndexes(2, 0);

  private static final IntVector ODD_INDEX = laneIndexes(2, 1);

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
