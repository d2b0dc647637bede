package dev.octet.runtime.ops.math;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.ops.Shapes;

/** Where(condition, X, Y) with three-way broadcasting; works for every element type. */
final class WhereKernel implements Kernel {
  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor c = in[0];
    Tensor x = in[1];
    Tensor y = in[2];
    if (c.dtype() != DType.BOOL) {
      throw new OctetException("condition must be bool, got " + c.dtype().onnxName());
    }
    if (x.dtype() != y.dtype()) {
      throw new OctetException(
          "X and Y differ in type: " + x.dtype().onnxName() + " and " + y.dtype().onnxName());
    }
    int[] shape = Shapes.broadcast(Shapes.broadcast(c.shape(), x.shape()), y.shape());
    int n = Tensor.elementCount(shape);
    int[] sc = Shapes.broadcastStrides(c.shape(), shape);
    int[] sx = Shapes.broadcastStrides(x.shape(), shape);
    int[] sy = Shapes.broadcastStrides(y.shape(), shape);
    byte[] cond = c.bytes();
    Object out = Tensor.allocate(x.dtype(), n);
    int[] idx = new int[shape.length];
    for (int o = 0; o < n; o++) {
      int ic = 0;
      int ix = 0;
      int iy = 0;
      for (int d = 0; d < shape.length; d++) {
        ic += idx[d] * sc[d];
        ix += idx[d] * sx[d];
        iy += idx[d] * sy[d];
      }
      if (cond[ic] != 0) {
        System.arraycopy(x.data(), ix, out, o, 1);
      } else {
        System.arraycopy(y.data(), iy, out, o, 1);
      }
      for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
        idx[d] = 0;
      }
    }
    return new Tensor[] {Tensor.wrap(x.dtype(), shape, out)};
  }
}
