package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;

/**
 * ONNX Runtime's {@code com.microsoft} QLinearAdd and QLinearMul (A, A_scale, A_zero_point, B,
 * B_scale, B_zero_point, C_scale, C_zero_point) with numpy broadcasting, computed as its MLAS
 * kernels do: Add: c = round(sa/sc * (a - za) + sb/sc * (b - zb)) + zc; Mul: c = round((a - za) *
 * (b - zb) * (sa * sb / sc)) + zc, saturated.
 */
public final class QLinearBinaryKernel implements Kernel {
  private final OpContext op;
  private final boolean mul;

  public QLinearBinaryKernel(OpContext op, boolean mul) {
    this.op = op;
    this.mul = mul;
    QuantChecks.scalesAndZeroPoints(op, 1, 2, false);
    QuantChecks.scalesAndZeroPoints(op, 4, 5, false);
    QuantChecks.scalesAndZeroPoints(op, 6, 7, false);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    int[] a = QValues.ints(in[0], "A");
    int[] b = QValues.ints(in[3], "B");
    float sa = QValues.scale(in[1], "A_scale");
    float sb = QValues.scale(in[4], "B_scale");
    float sc = QValues.scale(in[6], "C_scale");
    int za = QValues.zeroPoint(in[2]);
    int zb = QValues.zeroPoint(in[5]);
    Tensor czT = in.length > 7 ? in[7] : null;
    int zc = QValues.zeroPoint(czT);
    DType type = QValues.typeOf(czT);
    int[] shape;
    try {
      shape = Shapes.broadcast(in[0].shape(), in[3].shape());
    } catch (RuntimeException ex) {
      throw op.error(ex.getMessage());
    }
    int size = Tensor.elementCount(shape);
    int[] ia = index(in[0].shape(), shape);
    int[] ib = index(in[3].shape(), shape);
    float ra = sa / sc;
    float rb = sb / sc;
    float rm = sa * sb / sc;
    byte[] out = new byte[size];
    long lo = type.minValue();
    long hi = type.maxValue();
    for (int i = 0; i < size; i++) {
      int x = a[ia[i]] - za;
      int y = b[ib[i]] - zb;
      float v = mul ? (x * y) * rm : ra * x + rb * y;
      out[i] = (byte) Math.max(lo, Math.min(hi, Math.rint(v) + zc));
    }
    return new Tensor[] {Tensor.wrap(type, shape, out)};
  }

  /** For each output element, the index of the input element broadcast to it. */
  static int[] index(int[] in, int[] out) {
    int size = Tensor.elementCount(out);
    int[] idx = new int[size];
    int[] strides = Shapes.broadcastStrides(in, out);
    int r = out.length;
    int[] pos = new int[r];
    int cur = 0;
    for (int i = 0; i < size; i++) {
      idx[i] = cur;
      for (int d = r - 1; d >= 0; d--) {
        pos[d]++;
        cur += strides[d];
        if (pos[d] < out[d]) {
          break;
        }
        cur -= pos[d] * strides[d];
        pos[d] = 0;
      }
    }
    return idx;
  }
}
