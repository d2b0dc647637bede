package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.VectorMath;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * A broadcasting element-wise op of two inputs, defined by lambdas (see {@link UnaryKernel}). The
 * float32 path walks the broadcast output in rows of its last dimension and vectorises rows that
 * are contiguous or broadcast in each input.
 */
public final class BinaryKernel implements Kernel {
  private final VectorMath.FloatBinary f;
  private final DoubleBinaryOperator d;
  private final LongBinaryOperator l;

  /**
   * @param f the float32 function; a {@link VectorMath.Binary} runs vectorised
   * @param d the float64 (and float16) function
   * @param l the integer function, or null when the op is not defined on integers
   */
  public BinaryKernel(VectorMath.FloatBinary f, DoubleBinaryOperator d, LongBinaryOperator l) {
    this.f = f;
    this.d = d;
    this.l = l;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    Numeric.requireSameType(a, b);
    int[] shape = Shapes.broadcast(a.shape(), b.shape());
    if (a.dtype() == DType.FLOAT && f != null) {
      return new Tensor[] {Tensor.wrap(floats(ctx, a, b, shape), shape)};
    }
    Broadcast2 bc = new Broadcast2(a.shape(), b.shape(), shape);
    int n = bc.size();
    if (Numeric.integral(a.dtype())) {
      if (l == null) {
        throw new OctetException("not defined for " + a.dtype().onnxName() + " inputs");
      }
      long[] x = Numeric.toLongs(a);
      long[] y = Numeric.toLongs(b);
      long[] out = new long[n];
      bc.forEach((o, ia, ib) -> out[o] = l.applyAsLong(x[ia], y[ib]));
      return new Tensor[] {Numeric.fromLongs(a.dtype(), shape, out)};
    }
    if (d == null) {
      throw new OctetException("not defined for " + a.dtype().onnxName() + " inputs");
    }
    double[] x = Numeric.toDoubles(a);
    double[] y = Numeric.toDoubles(b);
    double[] out = new double[n];
    bc.forEach((o, ia, ib) -> out[o] = d.applyAsDouble(x[ia], y[ib]));
    return new Tensor[] {Numeric.fromDoubles(a.dtype(), shape, out)};
  }

  private float[] floats(ExecContext ctx, Tensor a, Tensor b, int[] shape) {
    Broadcast2 bc = new Broadcast2(a.shape(), b.shape(), shape);
    float[] x = a.floats();
    float[] y = b.floats();
    float[] out = ctx.floats(bc.size());
    int row = bc.rowLength();
    int rows = bc.rows();
    ctx.parallelFor(
        rows,
        Math.max(1, (1 << 14) / Math.max(1, row)),
        (s, e) -> {
          for (int r = s; r < e; r++) {
            VectorMath.binary(
                x,
                bc.offsetA(r),
                bc.rowStrideA(),
                y,
                bc.offsetB(r),
                bc.rowStrideB(),
                out,
                r * row,
                row,
                f);
          }
        });
    return out;
  }
}
