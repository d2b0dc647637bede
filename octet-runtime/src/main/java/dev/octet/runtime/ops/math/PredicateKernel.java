package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Numeric;
import java.util.function.DoublePredicate;

/** A per-element test producing bool (IsNaN, IsInf). */
final class PredicateKernel implements Kernel {
  private final DoublePredicate test;

  PredicateKernel(DoublePredicate test) {
    this.test = test;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    double[] x = Numeric.toDoubles(in[0]);
    byte[] out = new byte[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (byte) (test.test(x[i]) ? 1 : 0);
    }
    return new Tensor[] {Tensor.wrap(DType.BOOL, in[0].shape(), out)};
  }
}
