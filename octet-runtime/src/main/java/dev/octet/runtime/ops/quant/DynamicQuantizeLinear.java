package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.simd.QuantVec;

/**
 * DynamicQuantizeLinear: uint8 quantization with parameters from the tensor itself. The range is
 * widened to include 0, scale = (max - min) / 255, zero point = saturate(round(0 - min / scale)), y
 * = saturate(round(x / scale) + zero point); outputs y, scale and zero point.
 */
public final class DynamicQuantizeLinear implements Kernel {
  /** The uint8 parameters DynamicQuantizeLinear derives from a tensor (scale 0 for all zeros). */
  public record Params(float scale, int zeroPoint) {
    public static Params of(float[] x) {
      float[] range = QuantVec.rangeWithZero(x, 0, x.length);
      float scale = (range[1] - range[0]) / 255f;
      int zp = scale == 0 ? 0 : (int) Math.max(0, Math.min(255, Math.rint(0 - range[0] / scale)));
      return new Params(scale, zp);
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    float[] x = in[0].toFloatArray();
    Params p = Params.of(x);
    float scale = p.scale();
    int zp = p.zeroPoint();
    byte[] y = new byte[x.length];
    if (scale == 0) {
      java.util.Arrays.fill(y, (byte) zp);
    } else {
      QuantVec.quantize8(x, x.length, scale, zp, 0, 255, y);
    }
    return new Tensor[] {
      Tensor.wrap(DType.UINT8, in[0].shape(), y),
      Tensor.scalar(scale),
      Tensor.wrap(DType.UINT8, new int[0], new byte[] {(byte) zp})
    };
  }
}
