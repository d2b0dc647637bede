package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import java.util.function.IntPredicate;

/** Broadcasting comparison producing bool: the predicate sees the sign of compare(a, b). */
final class CompareKernel implements Kernel {
  private final IntPredicate test;

  CompareKernel(IntPredicate test) {
    this.test = test;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    Numeric.requireSameType(a, b);
    int[] shape = Shapes.broadcast(a.shape(), b.shape());
    Broadcast2 bc = new Broadcast2(a.shape(), b.shape(), shape);
    byte[] out = new byte[bc.size()];
    if (a.dtype() == DType.STRING) {
      String[] x = strings(a);
      String[] y = strings(b);
      bc.forEach(
          (o, ia, ib) ->
              out[o] = (byte) (test.test(Integer.signum(x[ia].compareTo(y[ib]))) ? 1 : 0));
    } else if (Numeric.integral(a.dtype())) {
      long[] x = Numeric.toLongs(a);
      long[] y = Numeric.toLongs(b);
      bc.forEach((o, ia, ib) -> out[o] = (byte) (test.test(Long.compare(x[ia], y[ib])) ? 1 : 0));
    } else {
      double[] x = Numeric.toDoubles(a);
      double[] y = Numeric.toDoubles(b);
      // NaN compares false with everything, as in IEEE 754
      bc.forEach(
          (o, ia, ib) -> {
            double p = x[ia];
            double q = y[ib];
            boolean r =
                !Double.isNaN(p) && !Double.isNaN(q) && test.test(p < q ? -1 : (p > q ? 1 : 0));
            out[o] = (byte) (r ? 1 : 0);
          });
    }
    return new Tensor[] {Tensor.wrap(DType.BOOL, shape, out)};
  }

  private static String[] strings(Tensor t) {
    String[] s = new String[t.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.string(i);
    }
    return s;
  }
}
