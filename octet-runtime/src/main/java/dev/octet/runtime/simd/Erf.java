package dev.octet.runtime.simd;

/**
 * The error function in double: its Maclaurin series below 2.5 and the continued fraction of erfc
 * above, accurate to about 1e-15. The reference for {@link FastMath#erf} and the kernel for double
 * inputs.
 */
public final class Erf {
  private Erf() {}

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
}
