package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.shape.ConcatKernel;

/**
 * ONNX Runtime's {@code com.microsoft} QLinearConcat (Y_scale, Y_zero_point, then X, X_scale,
 * X_zero_point per input; attribute axis): each input is requantized to the output's parameters
 * through a 256-entry table (copied as is when they are equal), then concatenated.
 */
public final class QLinearConcatKernel implements Kernel {
  private final OpContext op;
  private final ConcatKernel concat;

  public QLinearConcatKernel(OpContext op) {
    this.op = op;
    this.concat = new ConcatKernel(op);
    if ((op.inputCount() - 2) % 3 != 0 || op.inputCount() < 5) {
      throw op.error(
          "expects Y_scale, Y_zero_point and (X, X_scale, X_zero_point) per input, got "
              + op.inputCount()
              + " inputs");
    }
    QuantChecks.scalesAndZeroPoints(op, 0, 1, false);
    for (int i = 2; i < op.inputCount(); i += 3) {
      QuantChecks.scalesAndZeroPoints(op, i + 1, i + 2, false);
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    float sy = QValues.scale(in[0], "Y_scale");
    int zy = QValues.zeroPoint(in[1]);
    DType type = QValues.typeOf(in[1]);
    int count = (in.length - 2) / 3;
    Tensor[] parts = new Tensor[count];
    for (int p = 0; p < count; p++) {
      Tensor x = in[2 + 3 * p];
      float sx = QValues.scale(in[3 + 3 * p], "X_scale of input " + p);
      int zx = QValues.zeroPoint(in[4 + 3 * p]);
      boolean unsigned = IntegerMatMul.eightBit(x, "input " + p);
      if (sx == sy && zx == zy && x.dtype() == type) {
        parts[p] = x;
        continue;
      }
      byte[] table = new byte[256];
      for (int b = 0; b < 256; b++) {
        int q = unsigned ? b : (byte) b;
        table[b] =
            (byte) QuantizeLinear.quantize((q - zx) * sx, sy, zy, type.minValue(), type.maxValue());
      }
      byte[] xv = x.bytes();
      byte[] y = new byte[xv.length];
      for (int i = 0; i < xv.length; i++) {
        y[i] = table[xv[i] & 0xff];
      }
      parts[p] = Tensor.wrap(type, x.shape(), y);
    }
    try {
      return concat.run(ctx, parts);
    } catch (RuntimeException e) {
      throw op.error(e.getMessage());
    }
  }
}
