package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import java.nio.charset.StandardCharsets;

/**
 * Cast (target from attribute 'to') and CastLike (target = type of input 1). Float to integer
 * truncates toward zero; float16 and bfloat16 round to nearest even; strings parse and print
 * numbers. The 8-bit and 4-bit float formats are not supported.
 */
final class CastKernel implements Kernel {
  private final DType to;

  CastKernel(OpContext op) {
    this.to =
        op.node().opType().equals("CastLike")
            ? null
            : DType.fromCode((int) op.attrs().getInt("to"));
    if (to != null && unsupported(to)) {
      throw op.error("casting to " + to.onnxName() + " is not supported");
    }
  }

  /** The 8- and 4-bit float formats and complex numbers. */
  private static boolean unsupported(DType t) {
    return t.kind() == DType.Kind.COMPLEX
        || (t.bits() > 0 && t.bits() <= 8 && t.isFloatingPoint())
        || t == DType.FLOAT8E8M0;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    DType target = to != null ? to : in[1].dtype();
    if (unsupported(x.dtype()) || unsupported(target)) {
      throw new OctetException(
          "casting " + x.dtype().onnxName() + " to " + target.onnxName() + " is not supported");
    }
    if (x.dtype() == target) {
      return new Tensor[] {x};
    }
    if (target == DType.STRING) {
      byte[][] s = new byte[x.size()][];
      for (int i = 0; i < s.length; i++) {
        s[i] = format(x, i).getBytes(StandardCharsets.UTF_8);
      }
      return new Tensor[] {Tensor.wrap(DType.STRING, x.shape(), s)};
    }
    if (x.dtype() == DType.STRING) {
      double[] v = new double[x.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = parse(x.string(i));
      }
      return new Tensor[] {Numeric.fromDoubles(target, x.shape(), v)};
    }
    if (target.isInteger() && target.bits() < 8) {
      // 4- and 2-bit integers: round to nearest even, then wrap to the width (ONNX 1.22 reference)
      double[] v = Numeric.toDoubles(x);
      int bits = target.bits();
      long[] l = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        long w = ((long) Math.rint(v[i])) & ((1L << bits) - 1);
        l[i] = target.isSigned() && w >= (1L << (bits - 1)) ? w - (1L << bits) : w;
      }
      return new Tensor[] {Numeric.fromLongs(target, x.shape(), l)};
    }
    if (x.dtype() == DType.FLOAT && target.isFloatingPoint()) {
      return new Tensor[] {Numeric.fromDoubles(target, x.shape(), Numeric.toDoubles(x))};
    }
    if (Numeric.integral(x.dtype()) && !target.isFloatingPoint()) {
      return new Tensor[] {Numeric.fromLongs(target, x.shape(), Numeric.toLongs(x))};
    }
    if (Numeric.integral(x.dtype())) {
      return new Tensor[] {Numeric.fromLongs(target, x.shape(), Numeric.toLongs(x))};
    }
    return new Tensor[] {Numeric.fromDoubles(target, x.shape(), Numeric.toDoubles(x))};
  }

  private static String format(Tensor x, int i) {
    double d = x.getDouble(i);
    if (Numeric.integral(x.dtype())) {
      return Long.toString((long) d);
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "INF" : "-INF";
    }
    return Float.toString((float) d);
  }

  private static double parse(String s) {
    String t = s.trim();
    return switch (t.toLowerCase(java.util.Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw new OctetException("cannot cast string '" + s + "' to a number");
        }
      }
    };
  }
}
