package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.simd.VectorMath;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/** Sum, Mean, Max, Min of any number of broadcasting inputs: a left fold of the binary op. */
final class VariadicKernel implements Kernel {
  private final BinaryKernel pair;
  private final boolean mean;

  VariadicKernel(VectorMath.Binary f, DoubleBinaryOperator d, LongBinaryOperator l, boolean mean) {
    this.pair = new BinaryKernel(f, d, l);
    this.mean = mean;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor acc = in[0];
    for (int i = 1; i < in.length; i++) {
      acc = pair.run(ctx, new Tensor[] {acc, in[i]})[0];
    }
    if (mean && in.length > 1) {
      double[] v = Numeric.toDoubles(acc);
      for (int i = 0; i < v.length; i++) {
        v[i] /= in.length;
      }
      acc =
          Numeric.fromDoubles(
              acc.dtype() == DType.FLOAT ? DType.FLOAT : acc.dtype(), acc.shape(), v);
    }
    return new Tensor[] {acc};
  }
}
