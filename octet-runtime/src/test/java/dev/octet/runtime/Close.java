package dev.octet.runtime;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import java.util.Arrays;

/**
 * Numeric comparison as ONNX's backend runner does it: |a - e| <= atol + rtol * |e|, NaN == NaN.
 */
public final class Close {
  private Close() {}

  /** Null when close, else a message that says where and by how much they differ. */
  public static String compare(Tensor expected, Tensor actual, double rtol, double atol) {
    if (expected.dtype() != actual.dtype()) {
      return "type " + actual.dtype() + " != expected " + expected.dtype();
    }
    if (!Arrays.equals(expected.shape(), actual.shape())) {
      return "shape "
          + Arrays.toString(actual.shape())
          + " != expected "
          + Arrays.toString(expected.shape());
    }
    if (expected.dtype() == DType.STRING) {
      return Arrays.deepEquals(expected.strings(), actual.strings()) ? null : "strings differ";
    }
    int bad = 0;
    String first = null;
    double worst = 0;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (Double.isNaN(e) && Double.isNaN(a) || e == a) {
        continue;
      }
      double diff = Math.abs(a - e);
      if (!(diff <= atol + rtol * Math.abs(e))) {
        bad++;
        worst = Math.max(worst, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
        if (first == null) {
          first = "element " + i + ": " + a + " != expected " + e;
        }
      }
    }
    return bad == 0
        ? null
        : bad
            + " of "
            + expected.size()
            + " elements differ (max abs diff "
            + worst
            + "; first "
            + first
            + ")";
  }

  /** Largest |a - e| over all elements. */
  public static double maxAbsDiff(Tensor expected, Tensor actual) {
    double m = 0;
    for (int i = 0; i < expected.size(); i++) {
      m = Math.max(m, Math.abs(expected.getDouble(i) - actual.getDouble(i)));
    }
    return m;
  }
}
