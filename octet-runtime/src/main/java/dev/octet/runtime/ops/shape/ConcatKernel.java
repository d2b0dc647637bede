package dev.octet.runtime.ops.shape;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import java.util.Arrays;

/** Concat along an axis; all other dimensions must agree. Any element type. */
public final class ConcatKernel implements Kernel {
  private final long axisAttr;

  public ConcatKernel(OpContext op) {
    this.axisAttr = op.attrs().getInt("axis");
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor first = in[0];
    int r = first.rank();
    int axis = Shapes.axis(axisAttr, r, "Concat");
    int[] shape = first.shape();
    int total = 0;
    for (Tensor t : in) {
      if (t.rank() != r || t.dtype() != first.dtype()) {
        throw new OctetException(
            "inputs differ in rank or type: "
                + Arrays.toString(t.shape())
                + " vs "
                + Arrays.toString(shape));
      }
      for (int d = 0; d < r; d++) {
        if (d != axis && t.dim(d) != shape[d]) {
          throw new OctetException(
              "inputs differ outside axis "
                  + axis
                  + ": "
                  + Arrays.toString(t.shape())
                  + " vs "
                  + Arrays.toString(shape));
        }
      }
      total += t.dim(axis);
    }
    shape[axis] = total;
    int outer = Shapes.product(shape, 0, axis);
    int inner = Shapes.product(shape, axis + 1, r);
    int mult = first.dtype().kind() == dev.octet.core.DType.Kind.COMPLEX ? 2 : 1;
    Object out = Tensor.allocate(first.dtype(), Tensor.elementCount(shape) * mult);
    int rowOut = total * inner * mult;
    int offset = 0;
    for (Tensor t : in) {
      int row = t.dim(axis) * inner * mult;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(t.data(), o * row, out, o * rowOut + offset, row);
      }
      offset += row;
    }
    return new Tensor[] {Tensor.wrap(first.dtype(), shape, out)};
  }
}
