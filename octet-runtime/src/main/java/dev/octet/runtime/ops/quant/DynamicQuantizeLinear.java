package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;

/**
 * DynamicQuantizeLinear: uint8 quantization with parameters from the tensor itself. The range is
 * widened to include 0, scale = (max - min) / 255, zero point = saturate(round(0 - min / scale)), y
 * = saturate(round(x / scale) + zero point); outputs y, scale and zero point.
 */
public final class DynamicQuantizeLinear implements Kernel {
  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    float[] x = in[0].toFloatArray();
    float lo = 0;
    float hi = 0;
    for (float v : x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    float scale = (hi - lo) / 255f;
    long zp = scale == 0 ? 0 : (long) Math.max(0, Math.min(255, Math.rint(0 - lo / scale)));
    byte[] y = new byte[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (byte) (scale == 0 ? zp : QuantizeLinear.quantize(x[i], scale, zp, 0, 255));
    }
    return new Tensor[] {
      Tensor.wrap(DType.UINT8, in[0].shape(), y),
      Tensor.scalar(scale),
      Tensor.wrap(DType.UINT8, new int[0], new byte[] {(byte) zp})
    };
  }
}
