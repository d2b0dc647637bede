package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.Igemm;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.VectorMath;
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
    this.constantB = IntegerMatMul.Weights.ifConstant(op, 1, bZero(), false);
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

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    if (a.rank() < 1) {
      throw op.error("A must have at least one dimension");
    }
    IntegerMatMul.Weights w =
        constantB != null
            ? constantB
            : IntegerMatMul.Weights.of(b, IntegerMatMul.optional(in, bZero()), false);
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
    PackedA qa;
    if (dynamic) {
      float[] x = a.dtype() == DType.FLOAT ? a.floats() : a.toFloatArray();
      DynamicQuantizeLinear.Params p = DynamicQuantizeLinear.Params.of(x);
      aScale = p.scale();
      // a constant 0 input quantizes to its zero point: shifted values 0 (the scale is then 0)
      float s = aScale == 0 ? 1 : aScale;
      qa = PackedA.packQuantized(x, m, k, s, p.zeroPoint(), 0, 255, ctx);
    } else {
      aScale = QValues.scale(in[2], "a_scale");
      float[] shifted =
          IntegerMatMul.shifted(
              a, 0, m, k, IntegerMatMul.zeroPoints(IntegerMatMul.optional(in, 4)));
      qa = PackedA.pack(shifted, 0, k, m, k);
    }
    float[] y = ctx.floats(m * n);
    if (k <= Igemm.KC && w.symmetric()) {
      // one exact chunk: the float sums are the integers, no int32 pass
      Igemm.multiplyToFloat(qa, w.packed(), y, 0, n, ctx);
    } else {
      int[] acc = IntegerMatMul.multiply(qa, w, ctx);
      for (int i = 0; i < acc.length; i++) {
        y[i] = acc[i];
      }
    }
    float[] bs = in[bScale()].toFloatArray();
    if (bs.length != 1 && bs.length != n) {
      throw op.error("b_scale has " + bs.length + " values for " + n + " columns");
    }
    float[] mult = new float[n];
    for (int j = 0; j < n; j++) {
      mult[j] = aScale * bs[bs.length == 1 ? 0 : j];
    }
    Tensor biasT = IntegerMatMul.optional(in, biasInput());
    float[] shift = biasT == null ? new float[n] : biasT.toFloatArray();
    if (shift.length != n) {
      throw op.error("bias has " + shift.length + " values for " + n + " columns");
    }
    ctx.parallelFor(
        m,
        (long) m * n < (1 << 16) ? m : 1,
        (i0, i1) -> {
          for (int i = i0; i < i1; i++) {
            VectorMath.mulAdd(y, i * n, n, mult, shift);
          }
        });
    int[] shape = a.shape();
    shape[shape.length - 1] = n;
    return new Tensor[] {Tensor.wrap(y, shape)};
  }
}
