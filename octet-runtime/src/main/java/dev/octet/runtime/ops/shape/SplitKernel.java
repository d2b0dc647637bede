package dev.octet.runtime.ops.shape;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import java.util.Arrays;

/**
 * Split along an axis: sizes from the 'split' attribute (before opset 13) or input, else equal
 * parts, one per output (opset 18: the last part may be smaller).
 */
public final class SplitKernel implements Kernel {
  private final long axisAttr;
  private final long[] splitAttr;
  private final int outputs;

  public SplitKernel(OpContext op) {
    this.axisAttr = op.attrs().getInt("axis", 0);
    this.splitAttr = op.attrs().getInts("split");
    this.outputs = op.node().outputs().size();
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int axis = Shapes.axis(axisAttr, x.rank(), "Split");
    int len = x.dim(axis);
    long[] split =
        splitAttr != null
            ? splitAttr
            : (in.length > 1 && in[1] != null ? Shapes.longs(in[1]) : null);
    int[] sizes = new int[outputs];
    if (split != null) {
      if (split.length != outputs) {
        throw new OctetException(
            "split "
                + Arrays.toString(split)
                + " has "
                + split.length
                + " parts for "
                + outputs
                + " outputs");
      }
      long sum = 0;
      for (int i = 0; i < outputs; i++) {
        sizes[i] = (int) split[i];
        sum += split[i];
      }
      if (sum != len) {
        throw new OctetException("split " + Arrays.toString(split) + " does not add up to " + len);
      }
    } else {
      int part = (len + outputs - 1) / outputs;
      for (int i = 0, left = len; i < outputs; i++) {
        sizes[i] = Math.min(part, left);
        left -= sizes[i];
      }
    }
    int[] shape = x.shape();
    int outer = Shapes.product(shape, 0, axis);
    int inner = Shapes.product(shape, axis + 1, shape.length);
    Tensor[] out = new Tensor[outputs];
    int offset = 0;
    for (int i = 0; i < outputs; i++) {
      int[] s = shape.clone();
      s[axis] = sizes[i];
      Object data = Tensor.allocate(x.dtype(), Tensor.elementCount(s));
      int row = sizes[i] * inner;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(x.data(), o * len * inner + offset, data, o * row, row);
      }
      offset += row;
      out[i] = Tensor.wrap(x.dtype(), s, data);
    }
    return out;
  }
}
