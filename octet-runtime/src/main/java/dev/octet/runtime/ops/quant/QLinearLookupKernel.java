package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.FastMath;
import java.util.function.DoubleUnaryOperator;

/**
 * ONNX Runtime's {@code com.microsoft} QLinearSigmoid and QLinearLeakyRelu (X, X_scale,
 * X_zero_point, Y_scale, Y_zero_point): 8-bit in, 8-bit out through a 256-entry table, y[q] =
 * quantize(f(dequantize(q))), built once per distinct set of parameters as ONNX Runtime does.
 */
public final class QLinearLookupKernel implements Kernel {
  private final OpContext op;
  private final DoubleUnaryOperator f;

  private QLinearLookupKernel(OpContext op, DoubleUnaryOperator f) {
    this.op = op;
    this.f = f;
    QuantChecks.scalesAndZeroPoints(op, 1, 2, false);
    QuantChecks.scalesAndZeroPoints(op, 3, 4, false);
  }

  public static QLinearLookupKernel sigmoid(OpContext op) {
    return new QLinearLookupKernel(op, x -> 1 / (1 + FastMath.exp((float) -x)));
  }

  public static QLinearLookupKernel leakyRelu(OpContext op) {
    float alpha = op.attrs().getFloat("alpha", 0.01f);
    return new QLinearLookupKernel(op, x -> x >= 0 ? x : (float) (alpha * (float) x));
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    boolean unsigned = IntegerMatMul.eightBit(x, "X");
    float sx = QValues.scale(in[1], "X_scale");
    int zx = QValues.zeroPoint(in[2]);
    float sy = QValues.scale(in[3], "Y_scale");
    Tensor yzT = in.length > 4 ? in[4] : null;
    int zy = QValues.zeroPoint(yzT);
    DType type = QValues.typeOf(yzT);
    byte[] table = new byte[256];
    for (int b = 0; b < 256; b++) {
      int q = unsigned ? b : (byte) b;
      float real = (float) f.applyAsDouble((q - zx) * sx);
      table[b] = (byte) QuantizeLinear.quantize(real, sy, zy, type.minValue(), type.maxValue());
    }
    byte[] xv = x.bytes();
    byte[] y = new byte[xv.length];
    for (int i = 0; i < xv.length; i++) {
      y[i] = table[xv[i] & 0xff];
    }
    return new Tensor[] {Tensor.wrap(type, x.shape(), y)};
  }

  @Override
  public String toString() {
    return op.node().describe();
  }
}
