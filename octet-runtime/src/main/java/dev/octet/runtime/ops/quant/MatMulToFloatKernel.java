package dev.octet.runtime.ops.quant;

import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.QuantVec;
import java.util.Arrays;

/**
 * ONNX Runtime's {@code com.microsoft} MatMulIntegerToFloat (A, B, a_scale, b_scale [,
 * a_zero_point, b_zero_point, bias]) and DynamicQuantizeMatMul (A float, B, b_scale [,
 * b_zero_point, bias]): the 8-bit product in int32, then y = acc * (a_scale * b_scale[n]) + bias[n]
 * in float. The dynamic form first quantizes A to uint8 as DynamicQuantizeLinear does (range
 * widened to 0, scale = range / 255). A is [..., M, K]; B a 2-D [K, N], packed once when constant.
 */
public final class MatMulToFloatKernel implements Kernel {
  private final OpContext op;
  private final boolean dynamic;
  private final IntegerMatMul.Weights constantB;

  public MatMulToFloatKernel(OpContext op, boolean dynamic) {
    this.op = op;
    this.dynamic = dynamic;
    QuantChecks.scalesAndZeroPoints(op, bScale(), bZero(), true);
    if (!dynamic) {
      QuantChecks.scalesAndZeroPoints(op, 2, 4, false);
    }
    Tensor b = op.constant(1);
    boolean zpKnown = !op.hasInput(bZero()) || op.constant(bZero()) != null;
    this.constantB =
        b != null && zpKnown
            ? IntegerMatMul.Weights.of(b, op.hasInput(bZero()) ? op.constant(bZero()) : null, false)
            : null;
  }

  private int bScale() {
    return dynamic ? 2 : 3;
  }

  private int bZero() {
    return dynamic ? 3 : 5;
  }

  private int biasInput() {
    return dynamic ? 4 : 6;
  }

  @Override
  public long packedBytes() {
    return constantB == null ? 0 : constantB.bytes();
  }

  private static Tensor at(Tensor[] in, int i) {
    return i < in.length ? in[i] : null;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    if (a.rank() < 1) {
      throw op.error("A must have at least one dimension");
    }
    IntegerMatMul.Weights w =
        constantB != null ? constantB : IntegerMatMul.Weights.of(b, at(in, bZero()), false);
    int k = a.dim(-1);
    if (k != w.k()) {
      throw op.error(
          "inner dimensions differ: A "
              + Arrays.toString(a.shape())
              + ", B "
              + Arrays.toString(b.shape()));
    }
    int m = a.size() / Math.max(1, k);
    int n = w.n();
    float aScale;
    float[] shifted;
    if (dynamic) {
      float[] x = a.toFloatArray();
      float[] range = QuantVec.rangeWithZero(x, 0, x.length);
      aScale = (range[1] - range[0]) / 255f;
      shifted = new float[x.length];
      if (aScale != 0) {
        int zp = (int) Math.max(0, Math.min(255, Math.rint(0 - range[0] / aScale)));
        QuantVec.quantizeShifted(x, 0, x.length, aScale, zp, 0, 255, shifted, 0);
      }
    } else {
      aScale = QValues.scale(in[2], "a_scale");
      shifted = IntegerMatMul.shifted(a, 0, m, k, IntegerMatMul.zeroPoints(at(in, 4)));
    }
    int[] acc = IntegerMatMul.multiply(shifted, m, w, ctx);
    float[] bs = in[bScale()].toFloatArray();
    if (bs.length != 1 && bs.length != n) {
      throw op.error("b_scale has " + bs.length + " values for " + n + " columns");
    }
    float[] mult = new float[n];
    for (int j = 0; j < n; j++) {
      mult[j] = aScale * bs[bs.length == 1 ? 0 : j];
    }
    Tensor biasT = at(in, biasInput());
    float[] bias = biasT == null ? null : biasT.toFloatArray();
    if (bias != null && bias.length != n) {
      throw op.error("bias has " + bias.length + " values for " + n + " columns");
    }
    float[] y = new float[m * n];
    float[] shift = bias == null ? new float[n] : bias;
    for (int i = 0; i < m; i++) {
      int o = i * n;
      for (int j = 0; j < n; j++) {
        y[o + j] = acc[o + j] * mult[j] + shift[j];
      }
    }
    int[] shape = a.shape();
    shape[shape.length - 1] = n;
    return new Tensor[] {Tensor.wrap(y, shape)};
  }
}
