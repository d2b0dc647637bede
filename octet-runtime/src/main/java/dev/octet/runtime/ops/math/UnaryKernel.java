package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.simd.Simd;
import dev.octet.runtime.simd.VectorMath;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * An element-wise op of one input, defined by lambdas: float32 runs the float function (vectorised
 * when it is a {@link VectorMath.Unary}), other float types the double function, integers the long
 * function (when the op is defined on integers).
 */
public final class UnaryKernel implements Kernel {
  private final VectorMath.FloatUnary f;
  private final DoubleUnaryOperator d;
  private final LongUnaryOperator l;

  /**
   * @param f the float32 function; a {@link VectorMath.Unary} runs vectorised
   * @param d the float64 (and float16) function
   * @param l the integer function, or null when the op is not defined on integers
   */
  public UnaryKernel(VectorMath.FloatUnary f, DoubleUnaryOperator d, LongUnaryOperator l) {
    this.f = f;
    this.d = d;
    this.l = l;
  }

  /** A float-only op whose double form is the float function widened. */
  public static UnaryKernel of(VectorMath.FloatUnary f) {
    return new UnaryKernel(f, x -> f.apply((float) x), null);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if (x.dtype() == DType.FLOAT && f != null) {
      float[] src = x.floats();
      float[] out = ctx.floats(src.length);
      ctx.parallelFor(
          src.length,
          1 << 14,
          Simd.F.length(),
          (s, e) -> VectorMath.unary(src, s, out, s, e - s, f));
      return new Tensor[] {Tensor.wrap(out, x.shape())};
    }
    if (Numeric.integral(x.dtype())) {
      if (l == null) {
        throw new OctetException("not defined for " + x.dtype().onnxName() + " inputs");
      }
      long[] v = Numeric.toLongs(x);
      for (int i = 0; i < v.length; i++) {
        v[i] = l.applyAsLong(v[i]);
      }
      return new Tensor[] {Numeric.fromLongs(x.dtype(), x.shape(), v)};
    }
    if (d == null) {
      throw new OctetException("not defined for " + x.dtype().onnxName() + " inputs");
    }
    double[] v = Numeric.toDoubles(x);
    for (int i = 0; i < v.length; i++) {
      v[i] = d.applyAsDouble(v[i]);
    }
    return new Tensor[] {Numeric.fromDoubles(x.dtype(), x.shape(), v)};
  }
}
