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
      FloatVector zero = FloatVector.zero(S);
      for (int bound = S.loopBound(n); i < bound; i += S.length()) {
        FloatVector v = FloatVector.fromArray(S, x, xo + i).add(vb);
        (relu ? v.blend(zero, v.compare(VectorOperators.LE, zero)) : v).intoArray(y, yo + i);
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
