package dev.octet.runtime.ops.shape;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;

/**
 * Slice: starts, ends, axes (default all) and steps (default 1), from attributes (opset 1) or
 * inputs (opset 10+); indices clamp as numpy's do, negative steps walk backwards.
 */
public final class SliceKernel implements Kernel {
  private final OpContext op;

  public SliceKernel(OpContext op) {
    this.op = op;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps = null;
    if (op.opset() < 10) {
      starts = op.attrs().getInts("starts");
      ends = op.attrs().getInts("ends");
      axes = op.attrs().getInts("axes");
    } else {
      starts = Shapes.longs(in[1]);
      ends = Shapes.longs(in[2]);
      axes = in.length > 3 && in[3] != null ? Shapes.longs(in[3]) : null;
      steps = in.length > 4 && in[4] != null ? Shapes.longs(in[4]) : null;
    }
    if (starts == null || ends == null || starts.length != ends.length) {
      throw new OctetException("starts and ends must have the same length");
    }
    int r = x.rank();
    int[] shape = x.shape();
    int[] begin = new int[r];
    int[] stepOf = new int[r];
    int[] out = shape.clone();
    java.util.Arrays.fill(stepOf, 1);
    for (int i = 0; i < starts.length; i++) {
      int ax = Shapes.axis(axes == null ? i : axes[i], r, "Slice");
      long step = steps == null ? 1 : steps[i];
      if (step == 0) {
        throw new OctetException("step must not be 0");
      }
      long dim = shape[ax];
      long s = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (step > 0) {
        s = Math.max(0, Math.min(dim, s));
        e = Math.max(0, Math.min(dim, e));
        out[ax] = (int) Math.max(0, (e - s + step - 1) / step);
      } else {
        s = Math.max(0, Math.min(dim - 1, s));
        e = Math.max(-1, Math.min(dim - 1, e));
        out[ax] = (int) Math.max(0, (s - e + (-step) - 1) / (-step));
      }
      begin[ax] = (int) s;
      stepOf[ax] = (int) step;
    }
    int[] st = Shapes.strides(shape);
    int offset = 0;
    int[] strides = new int[r];
    for (int d = 0; d < r; d++) {
      offset += (out[d] == 0 ? 0 : begin[d]) * st[d];
      strides[d] = st[d] * stepOf[d];
    }
    return new Tensor[] {Movement.gather(x, Movement.strided(out, strides, offset), out)};
  }
}
