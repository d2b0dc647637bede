package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, sigmoid, tanh, erf and GELU in float, each as a scalar and a vector function that perform
 * the same IEEE operations (add, multiply, fma, divide) in the same order, so that a value gets the
 * same bits whichever path computes it: in a vector body or a scalar tail, on any thread count, in
 * interpreted or compiled code. (The Vector API's own EXP and TANH differ in the last bit between
 * JIT tiers.) Accuracy: exp within 2 ulp (Cephes' polynomial), erf within 1.5e-7 absolute
 * (Abramowitz and Stegun 7.1.26), GELU within 1.7e-7 max(1, |x|) (a rational fit of the normal
 * CDF).
 */
public final class FastMath {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;

  /** 1.5 * 2^23: a float near it has no fraction bits, so adding it rounds to an integer. */
  private static final float ROUND = 12582912f;

  /** Added to ROUND + n's bits, then shifted into the exponent: the bits of 2^n. */
  private static final int EXPONENT_BIAS = 127 - Float.floatToRawIntBits(ROUND);

  private static final float MAX_X = 88.3762626647949f;
  private static final float MIN_X = -87.3365478515625f;
  private static final float P0 = 1.9875691500e-4f;
  private static final float P1 = 1.3981999507e-3f;
  private static final float P2 = 8.3334519073e-3f;
  private static final float P3 = 4.1665795894e-2f;
  private static final float P4 = 1.6666665459e-1f;
  private static final float P5 = 5.0000001201e-1f;
  private static final float ERF_P = 0.3275911f;
  private static final float A1 = 0.254829592f;
  private static final float A2 = -0.284496736f;
  private static final float A3 = 1.421413741f;
  private static final float A4 = -1.453152027f;
  private static final float A5 = 1.061405429f;

  private FastMath() {}

  /** e^x: x = n ln2 + r, e^r by a degree-7 polynomial, times 2^n through the exponent bits. */
  public static float exp(float x) {
    if (x != x) {
      return x;
    }
    x = Math.min(Math.max(x, MIN_X), MAX_X);
    // n = x log2(e) rounded to the nearest integer: adding 1.5 * 2^23 leaves no fraction bits
    float v = Math.fma(x, LOG2E, ROUND);
    float n = v - ROUND;
    float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
    float p = Math.fma(P0, r, P1);
    p = Math.fma(p, r, P2);
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, P4);
    p = Math.fma(p, r, P5);
    p = Math.fma(p, r * r, r) + 1f;
    // v's low mantissa bits hold n: 2^n from them, without a float-to-int conversion
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(v) + EXPONENT_BIAS) << 23);
  }

  public static FloatVector exp(FloatVector x) {
    return expInRange(x.max(MIN_X).min(MAX_X));
  }

  /**
   * e^x for x in [MIN_X, MAX_X] (NaN stays NaN), without {@link #exp}'s clamping: outside that
   * range the lanes hold values of no meaning. For a softmax's x - max, which is never above 0 and
   * is flushed to 0 well above MIN_X. The clamps cost more than their two operations suggest
   * (FloatVector.max and min follow Java's NaN and signed-zero rules): the softmax's exp pass took
   * 6.7-7.1 ns per vector with them, 4.35 without.
   */
  public static FloatVector expInRange(FloatVector c) {
    FloatVector v = c.fma(LOG2E, ROUND);
    FloatVector n = v.sub(ROUND);
    FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
    r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
    FloatVector p = r.fma(P0, P1);
    p = p.fma(r, FloatVector.broadcast(S, P2));
    p = p.fma(r, FloatVector.broadcast(S, P3));
    p = p.fma(r, FloatVector.broadcast(S, P4));
    p = p.fma(r, FloatVector.broadcast(S, P5));
    p = p.fma(r.mul(r), r).add(1f);
    IntVector bits = v.reinterpretAsInts().add(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, 23);
    FloatVector scale = bits.reinterpretAsFloats();
    // NaN needs no test: r, p and the product are NaN too
    return p.mul(scale);
  }

  /** 1 / (1 + e^-x). */
  public static float sigmoid(float x) {
    return 1f / (1f + exp(-x));
  }

  public static FloatVector sigmoid(FloatVector x) {
    return FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
  }

  /** tanh(x) = sign(x) (1 - 2 / (e^(2|x|) + 1)); below |x| = 2^-10 the series x - x^3/3. */
  public static float tanh(float x) {
    float a = Math.abs(x);
    float t = 1f - 2f / (exp(2f * a) + 1f);
    float small = x - x * x * x * (1f / 3f);
    return a < 0x1p-10f ? small : Math.copySign(t, x);
  }

  public static FloatVector tanh(FloatVector x) {
    FloatVector a = x.abs();
    FloatVector t =
        FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(a.mul(2f)).add(1f)));
    t = t.blend(t.neg(), x.compare(VectorOperators.LT, 0f));
    FloatVector small = x.sub(x.mul(x).mul(x).mul(1f / 3f));
    return t.blend(small, a.compare(VectorOperators.LT, 0x1p-10f));
  }

  /** Maclaurin coefficients of erf(x) / x in x^2: 2/sqrt(pi) * (-1)^n / (n! (2n+1)). */
  private static final float E0 = 1.1283791671f;

  private static final float E1 = -0.3761263890f;
  private static final float E2 = 0.1128379167f;
  private static final float E3 = -0.0268661706f;
  private static final float E4 = 0.0052239776f;
  private static final float E5 = -0.0008548327f;

  /** erf: its Maclaurin series below |x| = 0.5, else Abramowitz and Stegun 7.1.26. */
  public static float erf(float x) {
    if (Math.abs(x) < 0.5f) {
      float x2 = x * x;
      float s = Math.fma(E5, x2, E4);
      s = Math.fma(s, x2, E3);
      s = Math.fma(s, x2, E2);
      s = Math.fma(s, x2, E1);
      s = Math.fma(s, x2, E0);
      return s * x;
    }
    float a = Math.abs(x);
    float t = 1f / Math.fma(a, ERF_P, 1f);
    float p = Math.fma(A5, t, A4);
    p = Math.fma(p, t, A3);
    p = Math.fma(p, t, A2);
    p = Math.fma(p, t, A1);
    p = p * t;
    float r = 1f - p * exp(-(a * a));
    return x < 0 ? -r : r;
  }

  public static FloatVector erf(FloatVector x) {
    FloatVector a = x.abs();
    FloatVector t = FloatVector.broadcast(S, 1f).div(a.fma(ERF_P, 1f));
    FloatVector p = t.fma(A5, A4);
    p = p.fma(t, FloatVector.broadcast(S, A3));
    p = p.fma(t, FloatVector.broadcast(S, A2));
    p = p.fma(t, FloatVector.broadcast(S, A1));
    p = p.mul(t);
    // -a^2 is never above 0: only the lower clamp of exp (each clamp costs a few instructions for
    // Java's NaN and signed-zero rules)
    FloatVector r = FloatVector.broadcast(S, 1f).sub(p.mul(expInRange(a.mul(a).neg().max(MIN_X))));
    r = r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
    FloatVector x2 = x.mul(x);
    FloatVector s = x2.fma(E5, E4);
    s = s.fma(x2, FloatVector.broadcast(S, E3));
    s = s.fma(x2, FloatVector.broadcast(S, E2));
    s = s.fma(x2, FloatVector.broadcast(S, E1));
    s = s.fma(x2, FloatVector.broadcast(S, E0));
    return r.blend(s.mul(x), a.compare(VectorOperators.LT, 0.5f));
  }

  /**
   * The normal distribution's CDF, Phi(x) = 0.5 (1 + erf(x / sqrt 2)), as 0.5 + x P(x^2) / Q(x^2)
   * for |x| up to {@link #GELU_X}: a rational fit of degrees 5 and 5 (made for Octet by Lawson's
   * reweighted least squares toward the minimax fit; 7e-9 from Phi before rounding, 1.7e-7 in
   * float, most of it the rounding of P / Q). Past GELU_X, Phi is within 2e-8 of 0 or 1, so GELU is
   * 0 or x there. One division and 11 fmas, where erf through Abramowitz and Stegun takes a
   * division, an exp, two polynomials and three blends: 29.8 -> 11.7 ns per vector on a Zen 1 EPYC,
   * where every 256-bit op takes two of its 128-bit pipes.
   */
  private static final float GELU_X = 5.5f;

  private static final float GP0 = 0.398942232131958f;
  private static final float GP1 = 0.033855143934488297f;
  private static final float GP2 = 0.004677410237491131f;
  private static final float GP3 = 1.6884948126971722e-4f;
  private static final float GP4 = 6.352130640152609e-6f;
  private static final float GP5 = 2.274665256152275e-8f;
  private static final float GQ1 = 0.25152817368507385f;
  private static final float GQ2 = 0.02864729054272175f;
  private static final float GQ3 = 0.0018845838494598866f;
  private static final float GQ4 = 7.365423516603187e-5f;
  private static final float GQ5 = 1.1974246945101186e-6f;

  /** x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); 0 at -infinity. */
  public static float gelu(float x) {
    float t = x * x;
    float p = Math.fma(GP5, t, GP4);
    p = Math.fma(p, t, GP3);
    p = Math.fma(p, t, GP2);
    p = Math.fma(p, t, GP1);
    p = Math.fma(p, t, GP0);
    float q = Math.fma(GQ5, t, GQ4);
    q = Math.fma(q, t, GQ3);
    q = Math.fma(q, t, GQ2);
    q = Math.fma(q, t, GQ1);
    q = Math.fma(q, t, 1f);
    float g = x * Math.fma(x, p / q, 0.5f);
    return x > GELU_X ? x : x < -GELU_X ? 0f : g;
  }

  public static FloatVector gelu(FloatVector x) {
    FloatVector t = x.mul(x);
    FloatVector p = t.fma(GP5, GP4);
    p = p.fma(t, FloatVector.broadcast(S, GP3));
    p = p.fma(t, FloatVector.broadcast(S, GP2));
    p = p.fma(t, FloatVector.broadcast(S, GP1));
    p = p.fma(t, FloatVector.broadcast(S, GP0));
    FloatVector q = t.fma(GQ5, GQ4);
    q = q.fma(t, FloatVector.broadcast(S, GQ3));
    q = q.fma(t, FloatVector.broadcast(S, GQ2));
    q = q.fma(t, FloatVector.broadcast(S, GQ1));
    q = q.fma(t, FloatVector.broadcast(S, 1f));
    FloatVector g = x.mul(x.fma(p.div(q), FloatVector.broadcast(S, 0.5f)));
    return g.blend(x, x.compare(VectorOperators.GT, GELU_X))
        .blend(FloatVector.zero(S), x.compare(VectorOperators.LT, -GELU_X));
  }
}
