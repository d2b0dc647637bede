package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.QuantVec;
import java.util.Arrays;

/**
 * MatMulInteger (int32 result) and QLinearMatMul (requantized to y's type): A [..., M, K] x B [K,
 * N] or batched B, with zero points per tensor, per row of A or per column of B. A constant B is
 * packed into byte panels once, at planning time. QLinearMatMul: y = saturate(round(acc * sa * sb /
 * sy) + zy) as ONNX Runtime computes it, with sb per column when given so.
 */
public final class MatMulIntegerKernel implements Kernel {
  private final OpContext op;
  private final boolean qlinear;
  private final IntegerMatMul.Weights constantB;

  public MatMulIntegerKernel(OpContext op, boolean qlinear) {
    this.op = op;
    this.qlinear = qlinear;
    int bi = qlinear ? 3 : 1;
    int bzi = qlinear ? 5 : 3;
    if (qlinear) {
      QuantChecks.scalesAndZeroPoints(op, 1, 2, false);
      QuantChecks.scalesAndZeroPoints(op, 4, 5, true);
      QuantChecks.scalesAndZeroPoints(op, 6, 7, false);
    }
    // a batched constant B (rank > 2) is multiplied per batch at run time
    Tensor b = op.constant(bi);
    this.constantB =
        b != null && b.rank() == 2 ? IntegerMatMul.Weights.ifConstant(op, bi, bzi, false) : null;
  }

  @Override
  public long packedBytes() {
    return constantB == null ? 0 : constantB.bytes();
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[qlinear ? 3 : 1];
    int[] za = IntegerMatMul.zeroPoints(IntegerMatMul.optional(in, 2));
    Tensor zb = IntegerMatMul.optional(in, qlinear ? 5 : 3);
    int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
    int m = Shapes.product(as, 0, as.length - 1);
    int k = as[as.length - 1];
    if (b.rank() > 2) {
      return batched(ctx, in, a, b, za, zb);
    }
    if (b.rank() != 2) {
      throw op.error("B must be 2-D [K, N] or batched like A, got " + Arrays.toString(b.shape()));
    }
    if (b.dim(0) != k) {
      throw op.error(
          "inner dimensions differ: A "
              + Arrays.toString(a.shape())
              + ", B "
              + Arrays.toString(b.shape()));
    }
    int n = b.dim(1);
    IntegerMatMul.Weights w =
        constantB != null ? constantB : IntegerMatMul.Weights.of(b, zb, false);
    int[] acc = IntegerMatMul.multiply(IntegerMatMul.shifted(a, 0, m, k, za), m, w, ctx);
    int[] shape = a.rank() == 1 ? new int[] {n} : Arrays.copyOf(as, as.length);
    if (a.rank() > 1) {
      shape[shape.length - 1] = n;
    }
    return finish(in, acc, shape, n);
  }

  /** A [..., M, K] x B [..., K, N] with identical batch dimensions: one product per batch. */
  private Tensor[] batched(ExecContext ctx, Tensor[] in, Tensor a, Tensor b, int[] za, Tensor zb) {
    int r = b.rank();
    if (a.rank() != r
        || !Arrays.equals(Arrays.copyOf(a.shape(), r - 2), Arrays.copyOf(b.shape(), r - 2))
        || a.dim(-1) != b.dim(-2)) {
      throw op.error(
          "batched operands need the same batch dimensions and K: A "
              + Arrays.toString(a.shape())
              + ", B "
              + Arrays.toString(b.shape()));
    }
    int m = a.dim(-2);
    int k = a.dim(-1);
    int n = b.dim(-1);
    int batches = Shapes.product(a.shape(), 0, r - 2);
    int[] acc = new int[batches * m * n];
    boolean unsigned = IntegerMatMul.eightBit(b, "B");
    int[] zeroB = IntegerMatMul.zeroPoints(zb);
    for (int t = 0; t < batches; t++) {
      // each batch's B packed straight from its slice of the tensor
      IntegerMatMul.Weights bt =
          IntegerMatMul.Weights.of(b.bytes(), t * k * n, n, k, n, false, unsigned, zeroB);
      int[] y = IntegerMatMul.multiply(IntegerMatMul.shifted(a, t * m * k, m, k, za), m, bt, ctx);
      System.arraycopy(y, 0, acc, t * m * n, y.length);
    }
    int[] shape = a.shape();
    shape[r - 1] = n;
    return finish(in, acc, shape, n);
  }

  /** MatMulInteger: the int32 result; QLinearMatMul: requantized. */
  private Tensor[] finish(Tensor[] in, int[] acc, int[] shape, int n) {
    if (!qlinear) {
      return new Tensor[] {Tensor.wrap(acc, shape)};
    }
    float[] sa = in[1].toFloatArray();
    float[] sb = in[4].toFloatArray();
    float sy = in[6].toFloatArray()[0];
    DType type = in[7].dtype();
    long zy = Numeric.toLongs(in[7])[0];
    float[] mult = new float[sb.length];
    for (int j = 0; j < sb.length; j++) {
      mult[j] = sa[0] * sb[j] / sy;
    }
    if (mult.length != 1 && mult.length != n) {
      throw op.error("b_scale has " + mult.length + " values for " + n + " columns");
    }
    byte[] q = new byte[acc.length];
    int lo = (int) type.minValue();
    int hi = (int) type.maxValue();
    if (mult.length == 1) {
      QuantVec.requantize(acc, 0, acc.length, 0, mult[0], (int) zy, lo, hi, q);
    } else {
      QuantVec.requantizeColumns(acc, acc.length / n, n, mult, (int) zy, lo, hi, q);
    }
    return new Tensor[] {Tensor.wrap(type, shape, q)};
  }
}
