package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.ops.shape.Movement;
import dev.octet.runtime.simd.VectorMath;

/**
 * Pow(X, Y): the exponent may have another numeric type than the base (ONNX's T1); the result has
 * the base's type. Same-typed float32 runs vectorised; x^2 and x^0.5 take exact fast forms.
 */
final class PowKernel implements Kernel {
  private final BinaryKernel same =
      new BinaryKernel(VectorMath.Binary.POW, Math::pow, (a, b) -> (long) Math.pow(a, b));

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor y = in[1];
    if (x.dtype() == DType.FLOAT && y.size() == 1 && y.dtype().isFloatingPoint()) {
      double e = y.getDouble(0);
      if (e == 2.0 || e == 0.5) {
        float[] src = x.floats();
        float[] out = ctx.floats(src.length);
        for (int i = 0; i < src.length; i++) {
          out[i] = e == 2.0 ? src[i] * src[i] : (float) Math.sqrt(src[i]);
        }
        return new Tensor[] {Tensor.wrap(out, Shapes.broadcast(x.shape(), y.shape()))};
      }
    }
    if (x.dtype() == y.dtype()) {
      return same.run(ctx, in);
    }
    int[] shape = Shapes.broadcast(x.shape(), y.shape());
    double[] a = Numeric.toDoubles(Movement.expand(x, shape));
    double[] b = Numeric.toDoubles(Movement.expand(y, shape));
    double[] out = new double[a.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.pow(a[i], b[i]);
    }
    return new Tensor[] {Numeric.fromDoubles(x.dtype(), shape, out)};
  }
}
