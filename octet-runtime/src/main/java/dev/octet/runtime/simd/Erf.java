package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The error function. Scalar (the reference): its Maclaurin series below 2.5 and the continued
 * fraction of erfc above, in double, accurate to about 1e-15. Vector: Abramowitz and Stegun 7.1.26
 * in float, |error| < 1.5e-7 plus float rounding (under 5e-7 in all), enough for float32
 * activations such as GELU's.
 */
public final class Erf {
  private Erf() {}

  private static final float P = 0.3275911f;
  private static final float A1 = 0.254829592f;
  private static final float A2 = -0.284496736f;
  private static final float A3 = 1.421413741f;
  private static final float A4 = -1.453152027f;
  private static final float A5 = 1.061405429f;

  /**
   * erf(x) accurate to about 1e-15 (series for small |x|, continued fraction via erfc for large).
   */
  public static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 2.5) {
      // Maclaurin series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
      double term = ax;
      double sum = ax;
      double x2 = ax * ax;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      r = sum * 1.1283791670955126;
    } else if (ax < 6) {
      // erfc(x) = exp(-x^2)/sqrt(pi) * continued fraction 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
      double f = ax;
      for (int k = 60; k >= 1; k--) {
        f = ax + (k / 2.0) / f;
      }
      r = 1 - Math.exp(-ax * ax) / (f * 1.7724538509055159);
    } else {
      r = 1;
    }
    return x < 0 ? -r : r;
  }

  public static FloatVector erf(FloatVector x) {
    FloatVector ax = x.abs();
    FloatVector t = ax.fma(P, 1f);
    t = FloatVector.broadcast(x.species(), 1f).div(t);
    FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(x.species(), A3));
    poly =
        poly.fma(t, FloatVector.broadcast(x.species(), A2))
            .fma(t, FloatVector.broadcast(x.species(), A1))
            .mul(t);
    FloatVector e = ax.mul(ax).neg().lanewise(VectorOperators.EXP);
    FloatVector r = FloatVector.broadcast(x.species(), 1f).sub(poly.mul(e));
    // erf is odd: take the sign of x
    return r.blend(r.neg(), x.compare(VectorOperators.LT, 0f));
  }
}
