package dev.octet.runtime.ops.math;

import dev.octet.runtime.kernel.KernelRegistry;
import dev.octet.runtime.simd.Erf;
import dev.octet.runtime.simd.VectorMath.Binary;
import dev.octet.runtime.simd.VectorMath.Unary;

/**
 * Registers the element-wise ops: each is a lambda on {@link UnaryKernel} or {@link BinaryKernel}.
 */
public final class ElementwiseOps {
  private ElementwiseOps() {}

  public static void register(KernelRegistry.Builder r) {
    // unary, float: vector form where VectorMath has one
    r.add(
        "Relu",
        1,
        op -> new UnaryKernel(Unary.RELU, x -> x > 0 ? x : (x == x ? 0 : x), x -> Math.max(x, 0)));
    r.add("Neg", 1, op -> new UnaryKernel(Unary.NEG, x -> -x, x -> -x));
    r.add("Abs", 1, op -> new UnaryKernel(Unary.ABS, Math::abs, Math::abs));
    r.add("Sqrt", 1, op -> new UnaryKernel(Unary.SQRT, Math::sqrt, null));
    r.add("Reciprocal", 1, op -> new UnaryKernel(Unary.RECIPROCAL, x -> 1 / x, null));
    r.add("Exp", 1, op -> new UnaryKernel(Unary.EXP, Math::exp, null));
    r.add("Log", 1, op -> new UnaryKernel(x -> (float) Math.log(x), Math::log, null));
    r.add("Tanh", 1, op -> new UnaryKernel(Unary.TANH, Math::tanh, null));
    r.add("Sigmoid", 1, op -> new UnaryKernel(Unary.SIGMOID, x -> 1 / (1 + Math.exp(-x)), null));
    r.add("Erf", 9, op -> new UnaryKernel(Unary.ERF, Erf::erf, null));
    r.add("Floor", 1, op -> new UnaryKernel(x -> (float) Math.floor(x), Math::floor, null));
    r.add("Ceil", 1, op -> new UnaryKernel(x -> (float) Math.ceil(x), Math::ceil, null));
    r.add("Round", 11, op -> new UnaryKernel(x -> (float) Math.rint(x), Math::rint, null));
    r.add("Sign", 9, op -> new UnaryKernel(x -> Math.signum(x), Math::signum, x -> Long.signum(x)));
    r.add("Sin", 7, op -> UnaryKernel.of(x -> (float) Math.sin(x)));
    r.add("Cos", 7, op -> UnaryKernel.of(x -> (float) Math.cos(x)));
    r.add("Tan", 7, op -> UnaryKernel.of(x -> (float) Math.tan(x)));
    r.add("Asin", 7, op -> UnaryKernel.of(x -> (float) Math.asin(x)));
    r.add("Acos", 7, op -> UnaryKernel.of(x -> (float) Math.acos(x)));
    r.add("Atan", 7, op -> UnaryKernel.of(x -> (float) Math.atan(x)));
    r.add("Sinh", 9, op -> UnaryKernel.of(x -> (float) Math.sinh(x)));
    r.add("Cosh", 9, op -> UnaryKernel.of(x -> (float) Math.cosh(x)));
    r.add("Softsign", 1, op -> UnaryKernel.of(x -> x / (1 + Math.abs(x))));
    r.add(
        "Softplus",
        1,
        op ->
            new UnaryKernel(
                x -> (float) Math.log1p(Math.exp(x)), x -> Math.log1p(Math.exp(x)), null));
    r.add(
        "LeakyRelu",
        1,
        op -> {
          float a = op.attrs().getFloat("alpha", 0.01f);
          return new UnaryKernel(x -> x >= 0 ? x : a * x, x -> x >= 0 ? x : a * x, null);
        });
    r.add(
        "Elu",
        1,
        op -> {
          float a = op.attrs().getFloat("alpha", 1f);
          return new UnaryKernel(
              x -> x >= 0 ? x : (float) (a * Math.expm1(x)),
              x -> x >= 0 ? x : a * Math.expm1(x),
              null);
        });
    r.add(
        "Selu",
        1,
        op -> {
          float a = op.attrs().getFloat("alpha", 1.67326319217681884765625f);
          float g = op.attrs().getFloat("gamma", 1.05070102214813232421875f);
          return new UnaryKernel(
              x -> x > 0 ? g * x : (float) (g * a * Math.expm1(x)),
              x -> x > 0 ? g * x : g * a * Math.expm1(x),
              null);
        });
    r.add(
        "Celu",
        12,
        op -> {
          float a = op.attrs().getFloat("alpha", 1f);
          return UnaryKernel.of(x -> (float) (Math.max(0, x) + Math.min(0, a * Math.expm1(x / a))));
        });
    r.add(
        "ThresholdedRelu",
        10,
        op -> {
          float a = op.attrs().getFloat("alpha", 1f);
          return UnaryKernel.of(x -> x > a ? x : 0);
        });
    r.add(
        "HardSigmoid",
        1,
        op -> {
          float a = op.attrs().getFloat("alpha", 0.2f);
          float b = op.attrs().getFloat("beta", 0.5f);
          return new UnaryKernel(
              x -> Math.max(0, Math.min(1, a * x + b)),
              x -> Math.max(0, Math.min(1, a * x + b)),
              null);
        });
    r.add(
        "HardSwish",
        14,
        op ->
            new UnaryKernel(
                x -> x * Math.max(0, Math.min(1, x / 6 + 0.5f)),
                x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)),
                null));
    r.add(
        "Gelu",
        20,
        op -> {
          if (op.attrs().getString("approximate", "none").equals("tanh")) {
            return new UnaryKernel(x -> (float) geluTanh(x), ElementwiseOps::geluTanh, null);
          }
          return new UnaryKernel(
              x -> (float) (0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)))),
              x -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2))),
              null);
        });
    r.add("Identity", 1, op -> (ctx, in) -> new dev.octet.core.Tensor[] {in[0]});

    // binary, broadcasting
    r.add("Add", 7, op -> new BinaryKernel(Binary.ADD, Double::sum, Long::sum));
    r.add("Sub", 7, op -> new BinaryKernel(Binary.SUB, (a, b) -> a - b, (a, b) -> a - b));
    r.add("Mul", 7, op -> new BinaryKernel(Binary.MUL, (a, b) -> a * b, (a, b) -> a * b));
    r.add("Div", 7, op -> new BinaryKernel(Binary.DIV, (a, b) -> a / b, ElementwiseOps::intDiv));
    r.add("Pow", 7, op -> new PowKernel());
    r.add(
        "PRelu",
        7,
        op ->
            new BinaryKernel(
                (x, s) -> x < 0 ? s * x : x,
                (x, s) -> x < 0 ? s * x : x,
                (x, s) -> x < 0 ? s * x : x));
    r.add(
        "Mod",
        10,
        op -> {
          boolean fmod = op.attrs().getInt("fmod", 0) == 1;
          return new BinaryKernel(
              (a, b) -> (float) mod(a, b, fmod),
              (a, b) -> mod(a, b, fmod),
              (a, b) -> fmod ? a % b : Math.floorMod(a, b));
        });
    r.add("And", 7, op -> new BinaryKernel(null, null, (a, b) -> (a != 0 && b != 0) ? 1 : 0));
    r.add("Or", 7, op -> new BinaryKernel(null, null, (a, b) -> (a != 0 || b != 0) ? 1 : 0));
    r.add("Xor", 7, op -> new BinaryKernel(null, null, (a, b) -> ((a != 0) ^ (b != 0)) ? 1 : 0));
    r.add("Not", 1, op -> new UnaryKernel(null, null, x -> x == 0 ? 1 : 0));
    r.add("BitwiseAnd", 18, op -> new BinaryKernel(null, null, (a, b) -> a & b));
    r.add("BitwiseOr", 18, op -> new BinaryKernel(null, null, (a, b) -> a | b));
    r.add("BitwiseXor", 18, op -> new BinaryKernel(null, null, (a, b) -> a ^ b));
    r.add("BitwiseNot", 18, op -> new UnaryKernel(null, null, x -> ~x));

    r.add("Equal", 7, op -> new CompareKernel(c -> c == 0));
    r.add("Less", 7, op -> new CompareKernel(c -> c < 0));
    r.add("Greater", 7, op -> new CompareKernel(c -> c > 0));
    r.add("LessOrEqual", 12, op -> new CompareKernel(c -> c <= 0));
    r.add("GreaterOrEqual", 12, op -> new CompareKernel(c -> c >= 0));
    r.add("IsNaN", 9, op -> new PredicateKernel(Double::isNaN));
    r.add(
        "IsInf",
        10,
        op -> {
          boolean neg = op.attrs().getInt("detect_negative", 1) == 1;
          boolean pos = op.attrs().getInt("detect_positive", 1) == 1;
          return new PredicateKernel(
              x ->
                  (pos && x == Double.POSITIVE_INFINITY) || (neg && x == Double.NEGATIVE_INFINITY));
        });

    r.add("Sum", 1, op -> new VariadicKernel(Binary.ADD, Double::sum, Long::sum, false));
    r.add("Mean", 1, op -> new VariadicKernel(Binary.ADD, Double::sum, Long::sum, true));
    r.add("Max", 1, op -> new VariadicKernel(Binary.MAX, Math::max, Math::max, false));
    r.add("Min", 1, op -> new VariadicKernel(Binary.MIN, Math::min, Math::min, false));
    r.add("Where", 9, op -> new WhereKernel());
    r.add("Clip", 6, ClipKernel::new);
    r.add("Cast", 6, CastKernel::new);
    r.add("CastLike", 15, CastKernel::new);
  }

  private static double geluTanh(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  /** Integer division truncates toward zero, as in C; division by zero is an error. */
  private static long intDiv(long a, long b) {
    if (b == 0) {
      throw new dev.octet.core.OctetException("integer division by zero");
    }
    return a / b;
  }

  /** ONNX Mod: fmod=1 is C's fmod (sign of the dividend); fmod=0 takes the sign of the divisor. */
  private static double mod(double a, double b, boolean fmod) {
    double m = a % b;
    if (!fmod && m != 0 && (m < 0) != (b < 0)) {
      m += b;
    }
    return m;
  }
}
