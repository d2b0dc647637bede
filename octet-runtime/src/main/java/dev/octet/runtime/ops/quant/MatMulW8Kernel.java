package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.Igemm;
import java.util.Arrays;

/**
 * Octet's fused W8A32 MatMul ({@code com.octet} MatMulW8: X float [..., K], W 8-bit [K, N], scale,
 * zero point [, bias]), written by QdqFusion for {@code MatMul(X, DequantizeLinear(W))} when X is
 * not quantized (weight-only quantization): the weights stay packed as bytes, a quarter of the
 * float weights' memory, and the product runs in float: y = scale[n] * (X W_q - zp[n] * rowsum(X))
 * + bias[n].
 */
public final class MatMulW8Kernel implements Kernel {
  private final OpContext op;
  private final IntegerMatMul.Weights weights;

  public MatMulW8Kernel(OpContext op) {
    this.op = op;
    QuantChecks.scalesAndZeroPoints(op, 2, 3, true);
    Tensor w = op.constant(1);
    this.weights =
        w != null && w.rank() == 2 ? IntegerMatMul.Weights.ifConstant(op, 1, 3, false) : null;
    if (weights == null) {
      throw op.error("MatMulW8 needs a constant 2-D weight and constant zero point");
    }
  }

  @Override
  public long packedBytes() {
    return weights.bytes();
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int k = x.rank() == 0 ? 0 : x.dim(-1);
    if (k != weights.k()) {
      throw op.error(
          "inner dimensions differ: X "
              + Arrays.toString(x.shape())
              + ", W has K = "
              + weights.k());
    }
    int m = x.size() / Math.max(1, k);
    int n = weights.n();
    float[] a = x.dtype() == DType.FLOAT ? x.floats() : x.toFloatArray();
    float[] y = ctx.floats(m * n);
    Igemm.multiplyW8(a, m, weights.packed(), y, ctx);
    float[] s = in[2].toFloatArray();
    if (s.length != 1 && s.length != n) {
      throw op.error("the weight scale has " + s.length + " values for " + n + " columns");
    }
    float[] bias = in.length > 4 && in[4] != null ? in[4].toFloatArray() : null;
    int[] z = weights.zero();
    boolean shifted = !weights.symmetric();
    for (int i = 0; i < m; i++) {
      float rowSum = 0;
      if (shifted) {
        for (int kk = 0; kk < k; kk++) {
          rowSum += a[i * k + kk];
        }
      }
      for (int j = 0; j < n; j++) {
        float v = y[i * n + j];
        if (shifted) {
          v -= z[z.length == 1 ? 0 : j] * rowSum;
        }
        v *= s[s.length == 1 ? 0 : j];
        y[i * n + j] = bias == null ? v : v + bias[j];
      }
    }
    int[] shape = x.shape();
    shape[shape.length - 1] = n;
    return new Tensor[] {Tensor.wrap(y, shape)};
  }
}
