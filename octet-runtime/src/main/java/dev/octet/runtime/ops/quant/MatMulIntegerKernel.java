package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import java.util.Arrays;

/**
 * MatMulInteger (int32 result) and QLinearMatMul (requantized to y's type): A [..., M, K] x B [K,
 * N] or batched B, with zero points per tensor, per row of A or per column of B. A constant B is
 * shifted by its zero point once, at planning time. QLinearMatMul: y = saturate(round(acc * sa * sb
 * / sy) + zy), with sb per column when given so.
 */
public final class MatMulIntegerKernel implements Kernel {
  private final boolean qlinear;
  private final IntegerMatMul.ShiftedB constantB;

  public MatMulIntegerKernel(OpContext op, boolean qlinear) {
    this.qlinear = qlinear;
    int bi = qlinear ? 3 : 1;
    int bzi = qlinear ? 5 : 3;
    Tensor b = op.constant(bi);
    boolean zpKnown = !op.hasInput(bzi) || op.constant(bzi) != null;
    this.constantB =
        b != null && b.rank() == 2 && zpKnown
            ? IntegerMatMul.ShiftedB.of(
                IntegerMatMul.values(b),
                b.dim(0),
                b.dim(1),
                zeroPoints(op.hasInput(bzi) ? op.constant(bzi) : null))
            : null;
  }

  private static long[] zeroPoints(Tensor zp) {
    return zp == null ? new long[] {0} : Numeric.toLongs(zp);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[qlinear ? 3 : 1];
    long[] za = zeroPoints(qlinear ? in[2] : (in.length > 2 ? in[2] : null));
    long[] zb = zeroPoints(qlinear ? in[5] : (in.length > 3 ? in[3] : null));
    int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
    int m = Shapes.product(as, 0, as.length - 1);
    int k = as[as.length - 1];
    if (b.rank() > 2) {
      return batched(ctx, in, a, b, za, zb);
    }
    if (b.rank() != 2) {
      throw new OctetException(
          "B must be 2-D [K, N] or batched like A, got " + Arrays.toString(b.shape()));
    }
    int n = b.dim(1);
    if (za.length != 1 && za.length != m) {
      throw new OctetException("A's zero point has " + za.length + " values for " + m + " rows");
    }
    IntegerMatMul.ShiftedB sb =
        constantB != null
            ? constantB
            : IntegerMatMul.ShiftedB.of(IntegerMatMul.values(b), b.dim(0), n, zb);
    int[] acc = IntegerMatMul.multiply(IntegerMatMul.values(a), m, k, za, sb, ctx);
    int[] shape = a.rank() == 1 ? new int[] {n} : Arrays.copyOf(as, as.length);
    if (a.rank() > 1) {
      shape[shape.length - 1] = n;
    }
    return finish(in, acc, shape, n);
  }

  /** A [..., M, K] x B [..., K, N] with identical batch dimensions: one product per batch. */
  private Tensor[] batched(ExecContext ctx, Tensor[] in, Tensor a, Tensor b, long[] za, long[] zb) {
    int r = b.rank();
    if (a.rank() != r
        || !Arrays.equals(Arrays.copyOf(a.shape(), r - 2), Arrays.copyOf(b.shape(), r - 2))) {
      throw new OctetException(
          "batched operands need the same batch dimensions: A "
              + Arrays.toString(a.shape())
              + ", B "
              + Arrays.toString(b.shape()));
    }
    int m = a.dim(-2);
    int k = a.dim(-1);
    int n = b.dim(-1);
    int batches = Shapes.product(a.shape(), 0, r - 2);
    long[] av = IntegerMatMul.values(a);
    long[] bv = IntegerMatMul.values(b);
    int[] acc = new int[batches * m * n];
    for (int t = 0; t < batches; t++) {
      long[] at = Arrays.copyOfRange(av, t * m * k, (t + 1) * m * k);
      long[] bt = Arrays.copyOfRange(bv, t * k * n, (t + 1) * k * n);
      int[] y = IntegerMatMul.multiply(at, m, k, za, IntegerMatMul.ShiftedB.of(bt, k, n, zb), ctx);
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
    float[] sbScale = in[4].toFloatArray();
    float sy = in[6].toFloatArray()[0];
    Tensor yz = in[7];
    DType type = yz.dtype();
    long zy = Numeric.toLongs(yz)[0];
    long[] q = new long[acc.length];
    for (int i = 0; i < acc.length; i++) {
      int col = i % n;
      float real = acc[i] * (sa[0] * sbScale[sbScale.length == 1 ? 0 : col]);
      q[i] = QuantizeLinear.quantize(real, sy, zy, type.minValue(), type.maxValue());
    }
    return new Tensor[] {Numeric.fromLongs(type, shape, q)};
  }
}
