package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;

/** Clip: bounds from attributes (opset 6) or from optional inputs 1 and 2 (opset 11+). */
final class ClipKernel implements Kernel {
  private final float attrMin;
  private final float attrMax;
  private final boolean fromInputs;

  ClipKernel(OpContext op) {
    this.fromInputs = op.opset() >= 11;
    this.attrMin = op.attrs().getFloat("min", -Float.MAX_VALUE);
    this.attrMax = op.attrs().getFloat("max", Float.MAX_VALUE);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if (x.dtype() == DType.FLOAT) {
      float lo =
          fromInputs && in.length > 1 && in[1] != null
              ? in[1].floats()[0]
              : (fromInputs ? Float.NEGATIVE_INFINITY : attrMin);
      float hi =
          fromInputs && in.length > 2 && in[2] != null
              ? in[2].floats()[0]
              : (fromInputs ? Float.POSITIVE_INFINITY : attrMax);
      float[] src = x.floats();
      float[] out = ctx.floats(src.length);
      ctx.parallelFor(
          src.length,
          1 << 14,
          (s, e) -> {
            for (int i = s; i < e; i++) {
              out[i] = Math.min(Math.max(src[i], lo), hi);
            }
          });
      return new Tensor[] {Tensor.wrap(out, x.shape())};
    }
    if (Numeric.integral(x.dtype())) {
      long lo = in.length > 1 && in[1] != null ? Numeric.toLongs(in[1])[0] : Long.MIN_VALUE;
      long hi = in.length > 2 && in[2] != null ? Numeric.toLongs(in[2])[0] : Long.MAX_VALUE;
      long[] v = Numeric.toLongs(x);
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.min(Math.max(v[i], lo), hi);
      }
      return new Tensor[] {Numeric.fromLongs(x.dtype(), x.shape(), v)};
    }
    double lo =
        in.length > 1 && in[1] != null ? Numeric.toDoubles(in[1])[0] : Double.NEGATIVE_INFINITY;
    double hi =
        in.length > 2 && in[2] != null ? Numeric.toDoubles(in[2])[0] : Double.POSITIVE_INFINITY;
    double[] v = Numeric.toDoubles(x);
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.min(Math.max(v[i], lo), hi);
    }
    return new Tensor[] {Numeric.fromDoubles(x.dtype(), x.shape(), v)};
  }
}
