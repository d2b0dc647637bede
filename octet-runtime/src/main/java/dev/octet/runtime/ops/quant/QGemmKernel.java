package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;

/**
 * ONNX Runtime's {@code com.microsoft} QGemm: A [M, K] and B [K, N] (each optionally transposed),
 * 8-bit with scale and zero point (B's per column), an optional int32 C in the accumulator's scale
 * (a_scale * b_scale), and alpha. With y_scale the result is requantized, otherwise it is float: y
 * = alpha * a_scale * b_scale[n] * ((A - za)(B - zb) + C).
 */
public final class QGemmKernel implements Kernel {
  private final OpContext op;
  private final boolean transA;
  private final boolean transB;
  private final float alpha;
  private final IntegerMatMul.Weights constantB;

  public QGemmKernel(OpContext op) {
    this.op = op;
    this.transA = op.attrs().getInt("transA", 0) != 0;
    this.transB = op.attrs().getInt("transB", 0) != 0;
    this.alpha = op.attrs().getFloat("alpha", 1f);
    QuantChecks.scalesAndZeroPoints(op, 1, 2, false);
    QuantChecks.scalesAndZeroPoints(op, 4, 5, true);
    if (op.inputCount() > 7 && op.hasInput(7)) {
      QuantChecks.scalesAndZeroPoints(op, 7, 8, false);
    }
    this.constantB = IntegerMatMul.Weights.ifConstant(op, 3, 5, transB);
  }

  @Override
  public long packedBytes() {
    return constantB == null ? 0 : constantB.bytes();
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    if (a.rank() != 2 || in[3].rank() != 2) {
      throw op.error("A and B must be 2-D");
    }
    IntegerMatMul.Weights w =
        constantB != null ? constantB : IntegerMatMul.Weights.of(in[3], in[5], transB);
    int m = transA ? a.dim(1) : a.dim(0);
    int k = transA ? a.dim(0) : a.dim(1);
    if (k != w.k()) {
      throw op.error("inner dimensions differ: A has K = " + k + ", B " + w.k());
    }
    int n = w.n();
    Tensor aa = a;
    if (transA) {
      byte[] src = a.bytes();
      byte[] t = new byte[src.length];
      for (int i = 0; i < m; i++) {
        for (int kk = 0; kk < k; kk++) {
          t[i * k + kk] = src[kk * m + i];
        }
      }
      aa = Tensor.wrap(a.dtype(), new int[] {m, k}, t);
    }
    int[] za = IntegerMatMul.zeroPoints(in[2]);
    int[] acc = IntegerMatMul.multiply(IntegerMatMul.shifted(aa, 0, m, k, za), m, w, ctx);
    Tensor c = IntegerMatMul.optional(in, 6);
    if (c != null) {
      int[] cv = c.ints();
      if (cv.length != 1 && cv.length != n && cv.length != m * n) {
        throw op.error("C has " + cv.length + " values; expected 1, N or M x N");
      }
      for (int i = 0; i < acc.length; i++) {
        acc[i] += cv[cv.length == 1 ? 0 : cv.length == n ? i % n : i];
      }
    }
    float sa = QValues.scale(in[1], "a_scale");
    float[] sb = in[4].toFloatArray();
    Tensor ys = IntegerMatMul.optional(in, 7);
    float[] mult = new float[n];
    for (int j = 0; j < n; j++) {
      mult[j] = alpha * sa * sb[sb.length == 1 ? 0 : j];
      if (ys != null) {
        mult[j] /= QValues.scale(ys, "y_scale");
      }
    }
    int[] shape = {m, n};
    if (ys == null) {
      float[] y = new float[m * n];
      for (int i = 0; i < y.length; i++) {
        y[i] = acc[i] * mult[i % n];
      }
      return new Tensor[] {Tensor.wrap(y, shape)};
    }
    Tensor yz = IntegerMatMul.optional(in, 8);
    DType type = QValues.typeOf(yz);
    long zy = QValues.zeroPoint(yz);
    long[] q = new long[acc.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = IntegerMatMul.requantize(acc[i], mult[i % n], zy, type.minValue(), type.maxValue());
    }
    return new Tensor[] {Numeric.fromLongs(type, shape, q)};
  }
}
