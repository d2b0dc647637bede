package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.nn.PoolKernel;

/**
 * ONNX Runtime's {@code com.microsoft} QLinearGlobalAveragePool and QLinearAveragePool (X, x_scale,
 * x_zero_point, y_scale, y_zero_point), NCHW only. Global: the integer sum of each plane, y =
 * round((sum - count * zx) * sx / (sy * count)) + zy. Windowed: the window mean of the dequantized
 * values (padding counts as real 0 when count_include_pad), quantized.
 */
public final class QLinearPoolKernel implements Kernel {
  private final OpContext op;
  private final PoolKernel window;

  public QLinearPoolKernel(OpContext op, boolean global) {
    this.op = op;
    this.window = global ? null : new PoolKernel(op, false);
    if (op.attrs().getInt("channels_last", 0) != 0) {
      throw op.error("channels_last = 1 is not supported; export the model in NCHW layout");
    }
    QuantChecks.scalesAndZeroPoints(op, 1, 2, false);
    QuantChecks.scalesAndZeroPoints(op, 3, 4, false);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if (x.rank() < 3) {
      throw op.error("X must be [N, C, spatial...], got rank " + x.rank());
    }
    float sx = QValues.scale(in[1], "x_scale");
    int zx = QValues.zeroPoint(in[2]);
    float sy = QValues.scale(in[3], "y_scale");
    Tensor yzT = in.length > 4 ? in[4] : null;
    int zy = QValues.zeroPoint(yzT);
    DType type = QValues.typeOf(yzT);
    if (window != null) {
      float[] real = QValues.dequantize(x, sx, zx, "X");
      Tensor pooled = window.run(ctx, new Tensor[] {Tensor.wrap(real, x.shape())})[0];
      return new Tensor[] {QValues.quantize(pooled.floats(), pooled.shape(), sy, zy, type)};
    }
    int[] v = QValues.ints(x, "X");
    int planes = x.dim(0) * x.dim(1);
    int size = x.size() / Math.max(1, planes);
    float mult = sx / (sy * size);
    byte[] y = new byte[planes];
    for (int p = 0; p < planes; p++) {
      int sum = 0;
      for (int i = p * size, end = i + size; i < end; i++) {
        sum += v[i];
      }
      y[p] =
          (byte)
              IntegerMatMul.requantize(sum - size * zx, mult, zy, type.minValue(), type.maxValue());
    }
    int[] shape = x.shape();
    for (int d = 2; d < shape.length; d++) {
      shape[d] = 1;
    }
    return new Tensor[] {Tensor.wrap(type, shape, y)};
  }
}
