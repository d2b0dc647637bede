package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise float loops in one shape: vector body, scalar tail. The ops are enums whose scalar
 * form is the reference (and the tail); the vector body switches on the enum so that every lanewise
 * operator is a constant, which the JIT needs to turn it into SIMD instructions.
 */
public final class VectorMath {
  private static final VectorSpecies<Float> S = Simd.F;

  private VectorMath() {}

  /** Scalar function of one float. */
  @FunctionalInterface
  public interface FloatUnary {
    float apply(float x);
  }

  /** Scalar function of two floats. */
  @FunctionalInterface
  public interface FloatBinary {
    float apply(float a, float b);
  }

  /** Unary ops with a vector form. */
  public enum Unary implements FloatUnary {
    RELU {
      public float apply(float x) {
        return x > 0 ? x : (x == x ? 0f : x);
      }
    },
    NEG {
      public float apply(float x) {
        return -x;
      }
    },
    ABS {
      public float apply(float x) {
        return Math.abs(x);
      }
    },
    SQRT {
      public float apply(float x) {
        return (float) Math.sqrt(x);
      }
    },
    RECIPROCAL {
      public float apply(float x) {
        return 1f / x;
      }
    },
    EXP {
      public float apply(float x) {
        return FastMath.exp(x);
      }
    },
    TANH {
      public float apply(float x) {
        return FastMath.tanh(x);
      }
    },
    SIGMOID {
      public float apply(float x) {
        return FastMath.sigmoid(x);
      }
    },
    ERF {
      public float apply(float x) {
        return FastMath.erf(x);
      }
    },
    /** 0.5 x (1 + erf(x / sqrt 2)). */
    GELU {
      public float apply(float x) {
        return FastMath.gelu(x);
      }
    }
  }

  /** Binary ops with a vector form. */
  public enum Binary implements FloatBinary {
    ADD {
      public float apply(float a, float b) {
        return a + b;
      }
    },
    SUB {
      public float apply(float a, float b) {
        return a - b;
      }
    },
    MUL {
      public float apply(float a, float b) {
        return a * b;
      }
    },
    DIV {
      public float apply(float a, float b) {
        return a / b;
      }
    },
    MAX {
      public float apply(float a, float b) {
        return Math.max(a, b);
      }
    },
    MIN {
      public float apply(float a, float b) {
        return Math.min(a, b);
      }
    },
    POW {
      public float apply(float a, float b) {
        return (float) Math.pow(a, b);
      }
    }
  }

  /** out[oo+i] = op(x[xo+i]) for i in [0, n). */
  public static void unary(float[] x, int xo, float[] out, int oo, int n, Unary op) {
    int i = Simd.ENABLED ? ElementLoops.unary(x, xo, out, oo, n, op) : 0;
    for (; i < n; i++) {
      out[oo + i] = op.apply(x[xo + i]);
    }
  }

  /** Scalar-only loop for ops without a vector form. */
  public static void unary(float[] x, int xo, float[] out, int oo, int n, FloatUnary f) {
    if (f instanceof Unary u) {
      unary(x, xo, out, oo, n, u);
      return;
    }
    for (int i = 0; i < n; i++) {
      out[oo + i] = f.apply(x[xo + i]);
    }
  }

  /**
   * out[oo+i] = op(a[ao + i*as], b[bo + i*bs]); strides of 0 (broadcast) and 1 (contiguous) are
   * vectorised, others run scalar.
   */
  public static void binary(
      float[] a,
      int ao,
      int as,
      float[] b,
      int bo,
      int bs,
      float[] out,
      int oo,
      int n,
      FloatBinary f) {
    int i = 0;
    if (Simd.ENABLED
        && f instanceof Binary op
        && n >= S.length()
        && (as == 1 || bs == 1)
        && as <= 1
        && bs <= 1) {
      i = ElementLoops.binary(a, ao, as, b, bo, bs, out, oo, n, op);
    }
    for (; i < n; i++) {
      out[oo + i] = f.apply(a[ao + i * as], b[bo + i * bs]);
    }
  }

  /**
   * The sum of a vector's lanes by halving (lane i + lane i + L/2, then again on the first half),
   * the order the compiled x86 reduction uses. reduceLanes(ADD) leaves the order to the
   * implementation, and its interpreted fallback sums lane by lane, so a result depended on whether
   * (and on which thread) the JIT had compiled the caller yet; this order is the same in both.
   */
  private static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> half : HALVES) {
      v = v.add(v.rearrange(half));
    }
    return v.lane(0);
  }

  /** For w = L/2, L/4, ..., 1: lane i takes lane i + w (mod L), as {@link #sumLanes} adds them. */
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] HALVES =
      java.util.stream.IntStream.iterate(S.length() / 2, w -> w >= 1, w -> w / 2)
          .mapToObj(w -> S.iotaShuffle(w, 1, true))
          .toArray(VectorShuffle[]::new);

  /** Sum of x[o..o+n); lanes accumulate separately, so the order is fixed for a given n. */
  public static float sum(float[] x, int o, int n) {
    int i = 0;
    float s = 0;
    if (Simd.ENABLED) {
      FloatVector acc = FloatVector.zero(S);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        acc = acc.add(FloatVector.fromArray(S, x, o + i));
      }
      s = sumLanes(acc);
    }
    for (; i < n; i++) {
      s += x[o + i];
    }
    return s;
  }

  /** Sum of (x[o+i] - mean)^2. */
  public static float sumSquaredDiff(float[] x, int o, int n, float mean) {
    int i = 0;
    float s = 0;
    if (Simd.ENABLED) {
      FloatVector acc = FloatVector.zero(S);
      FloatVector m = FloatVector.broadcast(S, mean);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector d = FloatVector.fromArray(S, x, o + i).sub(m);
        acc = d.fma(d, acc);
      }
      s = sumLanes(acc);
    }
    for (; i < n; i++) {
      float d = x[o + i] - mean;
      s += d * d;
    }
    return s;
  }

  /** Max of x[o..o+n), n >= 1. */
  public static float max(float[] x, int o, int n) {
    int i = 0;
    float m = Float.NEGATIVE_INFINITY;
    if (Simd.ENABLED) {
      FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        acc = acc.max(FloatVector.fromArray(S, x, o + i));
      }
      m = acc.reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) {
      m = Math.max(m, x[o + i]);
    }
    return m;
  }

  /**
   * Below this, exp(x - shift) is taken as 0: e^-40 = 4e-18 of the row's largest term changes a
   * softmax sum by less than float precision, and such terms would otherwise reach subnormal range
   * once normalised or multiplied (attention probabilities times V): on x86 every operation that
   * produces or reads a subnormal takes a microcode assist of 100+ cycles (the first layer of
   * all-MiniLM-L6-v2 ran its attention at half speed).
   */
  static final float EXP_FLUSH = -40f;

  /**
   * out[oo+i] = exp(x[o+i] - shift), 0 where x[o+i] - shift is below {@link #EXP_FLUSH}; returns
   * the sum of the outputs. shift must be the maximum of the x (a softmax row's).
   */
  public static float expShiftSum(float[] x, int o, int n, float shift, float[] out, int oo) {
    int i = 0;
    float s = 0;
    if (Simd.ENABLED) {
      FloatVector acc = FloatVector.zero(S);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector d = FloatVector.fromArray(S, x, o + i).sub(shift);
        // d <= 0 (shift is the row's maximum) and flushed below EXP_FLUSH: no clamping needed
        FloatVector e = FastMath.expInRange(d).blend(0f, d.lt(EXP_FLUSH));
        e.intoArray(out, oo + i);
        acc = acc.add(e);
      }
      s = sumLanes(acc);
    }
    for (; i < n; i++) {
      float d = x[o + i] - shift;
      float e = d < EXP_FLUSH ? 0f : FastMath.exp(d);
      out[oo + i] = e;
      s += e;
    }
    return s;
  }

  /** x[o+i] = max(x[o+i] + bias, 0) in place (bias and Relu epilogue of a convolution). */
  public static void addRelu(float[] x, int o, int n, float bias, boolean relu) {
    addRelu(x, o, x, o, n, bias, relu);
  }

  /** y[yo+i] = x[xo+i] + bias, then max(., 0) when relu (NaN stays NaN). */
  public static void addRelu(
      float[] x, int xo, float[] y, int yo, int n, float bias, boolean relu) {
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector vb = FloatVector.broadcast(S, bias);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector v = FloatVector.fromArray(S, x, xo + i).add(vb);
        (relu ? v.max(0f) : v).intoArray(y, yo + i);
      }
    }
    for (; i < n; i++) {
      float v = x[xo + i] + bias;
      y[yo + i] = relu ? (v > 0 ? v : (v == v ? 0f : v)) : v;
    }
  }

  /** y[yo+i] = (x[xo+i] - mean) * inv * scale[i] + bias[i] (one layer-normalised row). */
  public static void normalize(
      float[] x,
      int xo,
      int n,
      float mean,
      float inv,
      float[] scale,
      float[] bias,
      float[] y,
      int yo) {
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector vm = FloatVector.broadcast(S, mean);
      FloatVector vi = FloatVector.broadcast(S, inv);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(vm).mul(vi);
        v = v.mul(FloatVector.fromArray(S, scale, i));
        if (bias != null) {
          v = v.add(FloatVector.fromArray(S, bias, i));
        }
        v.intoArray(y, yo + i);
      }
    }
    for (; i < n; i++) {
      float v = (x[xo + i] - mean) * inv * scale[i];
      y[yo + i] = bias == null ? v : v + bias[i];
    }
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
          FloatVector.fromArray(S, x, o + i)
              .max(FloatVector.fromArray(S, x, o + ld + i))
              .max(FloatVector.fromArray(S, x, o + 2 * ld + i))
              .intoArray(out, i);
        }
      }
      for (int l = S.length(); i < w && last + i + l <= x.length; i += l) {
        FloatVector v = FloatVector.fromArray(S, x, o + i);
        for (int r = 1; r < rows; r++) {
          v = v.max(FloatVector.fromArray(S, x, o + r * ld + i));
        }
        v.intoArray(out, i);
      }
    }
    for (; i < w; i++) {
      float v = x[o + i];
      for (int r = 1; r < rows; r++) {
        v = Math.max(v, x[o + r * ld + i]);
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
          v = v.max(FloatVector.fromArray(S, c, s + i + j));
        }
        v.intoArray(out, i);
      }
    } else if (Simd.ENABLED && stride == 2) {
      if (k == 3) {
        for (; i < n && s + 2 * i + 2 + 2 * l <= c.length; i += l) {
          int at = s + 2 * i;
          FloatVector.fromArray(S, c, at)
              .rearrange(EVEN, FloatVector.fromArray(S, c, at + l))
              .max(
                  FloatVector.fromArray(S, c, at + 1)
                      .rearrange(EVEN, FloatVector.fromArray(S, c, at + 1 + l)))
              .max(
                  FloatVector.fromArray(S, c, at + 2)
                      .rearrange(EVEN, FloatVector.fromArray(S, c, at + 2 + l)))
              .intoArray(out, i);
        }
      }
      for (; i < n && s + 2 * i + k - 1 + 2 * l <= c.length; i += l) {
        int at = s + 2 * i;
        FloatVector v =
            FloatVector.fromArray(S, c, at).rearrange(EVEN, FloatVector.fromArray(S, c, at + l));
        for (int j = 1; j < k; j++) {
          v =
              v.max(
                  FloatVector.fromArray(S, c, at + j)
                      .rearrange(EVEN, FloatVector.fromArray(S, c, at + j + l)));
        }
        v.intoArray(out, i);
      }
    }
    for (; i < n; i++) {
      float v = c[s + i * stride];
      for (int j = 1; j < k; j++) {
        v = Math.max(v, c[s + i * stride + j]);
      }
      out[i] = v;
    }
  }

  /**
   * y[yo + i] = the maximum of x[o + r * ld + 2i + j] over r, j &lt; 3, for i &lt; n: a row of 3 x
   * 3 windows at stride 2 (the common max pooling) straight from its three input rows. With c the
   * column maxima of the rows, 16 outputs take the maxima of c[2i], c[2i + 1] and c[2i + 2]: the
   * even lanes, the odd lanes, and the even lanes moved on by one lane into the next 16 columns,
   * whose maxima the next 16 outputs start from. The row maxima then the column maxima, through a
   * scratch row, took 1.3-1.5x as long on SqueezeNet's 27- and 55-wide planes. Whole vectors read
   * up to 2i + 48 on each row, so rows are followed by other values or by the array's end
   * (checked); {@code tail} holds 16 floats, for rows of fewer than 16 outputs.
   */
  public static void max3x3Stride2(
      float[] x, int o, int ld, int n, float[] y, int yo, float[] tail) {
    int i = 0;
    int l = S.length();
    // one past the last value that the 16 outputs from 0 read
    int reach = o + 2 * ld + 3 * l;
    if (Simd.ENABLED && l == 16 && n > 0 && reach <= x.length) {
      FloatVector from = rows3(x, o, ld);
      for (; i < n; i += l) {
        // the last 16 outputs end at n (some computed twice, the same way)
        int at = i + l <= n ? i : Math.max(0, n - l);
        if (reach + 2 * at > x.length) {
          break;
        }
        int c = o + 2 * at;
        FloatVector lo = at == i ? from : rows3(x, c, ld);
        FloatVector hi = rows3(x, c + l, ld);
        FloatVector up = rows3(x, c + 2 * l, ld);
        FloatVector even = EVEN_INDEX.selectFrom(lo, hi);
        FloatVector m = even.max(ODD_INDEX.selectFrom(lo, hi)).max(NEXT_INDEX.selectFrom(even, up));
        from = up;
        if (at + l <= n) {
          m.intoArray(y, yo + at);
        } else {
          m.intoArray(tail, 0);
          System.arraycopy(tail, 0, y, yo, n);
        }
      }
    }
    for (; i < n; i++) {
      float v = Float.NEGATIVE_INFINITY;
      for (int r = 0; r < 3; r++) {
        for (int j = 0; j < 3; j++) {
          v = Math.max(v, x[o + r * ld + 2 * i + j]);
        }
      }
      y[yo + i] = v;
    }
  }

  /**
   * y[yo + i] = the maximum of x[o + r * ld + 2i + j] over r, j &lt; 2, for i &lt; n: a row of 2 x
   * 2 windows at stride 2 straight from its two input rows, 16 outputs at a time from the even and
   * odd lanes of the column maxima (mnist-8's first pooling: 14 outputs a row). Whole vectors read
   * up to 2i + 32 on each row; {@code tail} holds 16 floats, for rows of fewer than 16 outputs.
   */
  public static void max2x2Stride2(
      float[] x, int o, int ld, int n, float[] y, int yo, float[] tail) {
    int i = 0;
    int l = S.length();
    // one past the last value that the 16 outputs from 0 read
    int reach = o + ld + 2 * l;
    if (Simd.ENABLED && l == 16) {
      for (; i < n; i += l) {
        int at = i + l <= n ? i : Math.max(0, n - l);
        if (reach + 2 * at > x.length) {
          break;
        }
        int c = o + 2 * at;
        FloatVector lo = FloatVector.fromArray(S, x, c).max(FloatVector.fromArray(S, x, c + ld));
        FloatVector hi =
            FloatVector.fromArray(S, x, c + l).max(FloatVector.fromArray(S, x, c + l + ld));
        FloatVector m = EVEN_INDEX.selectFrom(lo, hi).max(ODD_INDEX.selectFrom(lo, hi));
        if (at + l <= n) {
          m.intoArray(y, yo + at);
        } else {
          m.intoArray(tail, 0);
          System.arraycopy(tail, 0, y, yo, n);
        }
      }
    }
    for (; i < n; i++) {
      int c = o + 2 * i;
      y[yo + i] = Math.max(Math.max(x[c], x[c + 1]), Math.max(x[c + ld], x[c + ld + 1]));
    }
  }

  /** The maximum of the vectors at x[c], x[c + ld] and x[c + 2 * ld]. */
  private static FloatVector rows3(float[] x, int c, int ld) {
    return FloatVector.fromArray(S, x, c)
        .max(FloatVector.fromArray(S, x, c + ld))
        .max(FloatVector.fromArray(S, x, c + 2 * ld));
  }

  /** Lane i: 2i, 2i + 1 and i + 1, as {@code selectFrom}'s indexes into two vectors. */
  private static final FloatVector EVEN_INDEX = laneIndexes(2, 0);

  private static final FloatVector ODD_INDEX = laneIndexes(2, 1);

  private static final FloatVector NEXT_INDEX = laneIndexes(1, 1);

  private static FloatVector laneIndexes(int step, int first) {
    float[] v = new float[S.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = step * i + first;
    }
    return FloatVector.fromArray(S, v, 0);
  }

  /**
   * The length of a scratch row for n values that whole-vector loops may run past (twice n: a
   * stride-2 row of windows reads two vectors per output vector).
   */
  public static int padded(int n) {
    return 2 * n + 4 * S.length();
  }

  /**
   * y[yo+i] = x[xo+i] * scale + m[mo + i*ms] (ms 0: one value for the row, 1: a row of values),
   * rounded after the product and after the sum; returns the maximum of the results (NaN if any is
   * NaN).
   */
  public static float scaleAddMax(
      float[] x, int xo, float scale, float[] m, int mo, int ms, float[] y, int yo, int n) {
    int i = 0;
    float max = Float.NEGATIVE_INFINITY;
    boolean nan = false;
    if (Simd.ENABLED && (ms == 0 || ms == 1)) {
      FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      FloatVector vs = FloatVector.broadcast(S, scale);
      FloatVector one = FloatVector.broadcast(S, m[mo]);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector v = FloatVector.fromArray(S, x, xo + i).mul(vs);
        v = v.add(ms == 0 ? one : FloatVector.fromArray(S, m, mo + i));
        v.intoArray(y, yo + i);
        acc = acc.max(v);
      }
      max = acc.reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) {
      float v = x[xo + i] * scale + m[mo + i * ms];
      y[yo + i] = v;
      nan |= v != v;
      max = Math.max(max, v);
    }
    return nan ? Float.NaN : max;
  }

  /**
   * dst[d + i] = src[s + 2i] for i < n: every other value (the even lanes of two loads), writing
   * nothing past d + n.
   */
  public static void everyOther(float[] src, int s, int n, float[] dst, int d) {
    int i = 0;
    if (Simd.ENABLED) {
      int l = S.length();
      for (; i + l <= n && s + 2 * (i + l) <= src.length; i += l) {
        FloatVector a = FloatVector.fromArray(S, src, s + 2 * i);
        a.rearrange(EVEN, FloatVector.fromArray(S, src, s + 2 * i + l)).intoArray(dst, d + i);
      }
    }
    for (; i < n; i++) {
      dst[d + i] = src[s + 2 * i];
    }
  }

  /** Lane i takes lane 2i of (a, b) in {@code a.rearrange(EVEN, b)}. */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);

  /** y[o+i] = y[o+i] * scale[i] + shift[i], rounded after the product and after the sum. */
  public static void mulAdd(float[] y, int o, int n, float[] scale, float[] shift) {
    int i = 0;
    if (Simd.ENABLED) {
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector.fromArray(S, y, o + i)
            .mul(FloatVector.fromArray(S, scale, i))
            .add(FloatVector.fromArray(S, shift, i))
            .intoArray(y, o + i);
      }
    }
    for (; i < n; i++) {
      y[o + i] = y[o + i] * scale[i] + shift[i];
    }
  }

  /** out[oo+i] = x[o+i] * scale + shift. */
  public static void scaleShift(
      float[] x, int o, int n, float scale, float shift, float[] out, int oo) {
    int i = 0;
    if (Simd.ENABLED) {
      FloatVector vs = FloatVector.broadcast(S, scale);
      FloatVector vt = FloatVector.broadcast(S, shift);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector.fromArray(S, x, o + i).fma(vs, vt).intoArray(out, oo + i);
      }
    }
    for (; i < n; i++) {
      out[oo + i] = Math.fma(x[o + i], scale, shift);
    }
  }
}
