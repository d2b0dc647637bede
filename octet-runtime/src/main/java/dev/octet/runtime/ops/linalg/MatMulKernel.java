package dev.octet.runtime.ops.linalg;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;
import java.util.Arrays;

/**
 * MatMul with numpy semantics: A[..., M, K] x B[..., K, N], batch dimensions broadcast, 1-D
 * operands promoted and the promoted dimension removed. A constant 2-D B (a weight) is packed once
 * at planning time. As FusedMatMul it takes a third input, a bias [N] added to every output row.
 */
public final class MatMulKernel implements Kernel {
  private final PackedB packedWeight;

  @Override
  public long packedBytes() {
    return packedWeight == null ? 0 : packedWeight.bytes();
  }

  private final Tensor constantBias;
  private final float[] paddedBias;

  public MatMulKernel(OpContext op) {
    Tensor bias = op.node().inputs().size() > 2 ? op.constant(2) : null;
    this.constantBias = bias != null && bias.dtype() == DType.FLOAT ? bias : null;
    this.paddedBias = constantBias == null ? null : Sgemm.padColumns(bias.floats(), bias.size());
    Tensor b = op.constant(1);
    this.packedWeight =
        b != null && b.dtype() == DType.FLOAT && b.rank() == 2
            ? PackedB.pack(b.floats(), 0, b.dim(1), b.dim(0), b.dim(1), false)
            : null;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    Numeric.requireSameType(a, b);
    int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
    int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
    int m = as[as.length - 2];
    int k = as[as.length - 1];
    int n = bs[bs.length - 1];
    if (bs[bs.length - 2] != k) {
      throw new OctetException(
          "inner dimensions differ: A "
              + Arrays.toString(a.shape())
              + ", B "
              + Arrays.toString(b.shape()));
    }
    int[] batch =
        Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
    int[] outShape = Arrays.copyOf(batch, batch.length + 2);
    outShape[batch.length] = m;
    outShape[batch.length + 1] = n;
    int batches = Shapes.product(batch, 0, batch.length);
    int[] aIdx = batchOffsets(Arrays.copyOf(as, as.length - 2), batch, m * k);
    int[] bIdx = batchOffsets(Arrays.copyOf(bs, bs.length - 2), batch, k * n);
    int[] finalShape = squeezePromoted(a.rank(), b.rank(), outShape);
    if (a.dtype() != DType.FLOAT) {
      return new Tensor[] {generic(a, b, m, k, n, batches, aIdx, bIdx, finalShape)};
    }
    float[] x = a.floats();
    float[] y = b.floats();
    float[] out = ctx.floats(batches * m * n);
    // FusedMatMul: bias [N] added to every row, by the GEMM
    float[] bias = padded(in.length > 2 && in[2] != null ? in[2].floats() : null, n);
    if (batches == 1) {
      float[] buffer = packedWeight != null ? null : ctx.floats(PackedB.size(k, n));
      PackedB pb =
          packedWeight != null ? packedWeight : PackedB.pack(y, bIdx[0], n, k, n, false, buffer);
      Sgemm.multiply(x, aIdx[0], k, m, pb, bias, out, 0, n, ctx);
      if (buffer != null) {
        ctx.recycle(buffer);
      }
    } else if (packedWeight != null && b.rank() == 2 && isContiguous(aIdx, m * k)) {
      // a weight shared by all batches: one GEMM over the stacked rows
      Sgemm.multiply(x, 0, k, batches * m, packedWeight, bias, out, 0, n, ctx);
    } else {
      int[] offC = new int[batches];
      for (int i = 0; i < batches; i++) {
        offC[i] = i * m * n;
      }
      BatchedGemm.run(ctx, x, aIdx, k, y, bIdx, n, false, m, k, n, bias, out, offC, n);
    }
    return new Tensor[] {Tensor.wrap(out, finalShape)};
  }

  /** The bias padded for the GEMM: prepared once when it is a constant (FusedMatMul's is). */
  private float[] padded(float[] bias, int n) {
    if (bias == null) {
      return null;
    }
    return constantBias != null && constantBias.floats() == bias && paddedBias.length >= n
        ? paddedBias
        : Sgemm.padColumns(bias, n);
  }

  private static boolean isContiguous(int[] offsets, int step) {
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] != i * step) {
        return false;
      }
    }
    return true;
  }

  /** Offset of each broadcast batch's matrix inside an operand with batch shape {@code own}. */
  static int[] batchOffsets(int[] own, int[] batch, int matrixSize) {
    int[] strides = Shapes.broadcastStrides(own, batch);
    for (int d = 0; d < strides.length; d++) {
      strides[d] *= matrixSize;
    }
    return StridedViews.offsets(batch, batch, strides);
  }

  private static int[] squeezePromoted(int aRank, int bRank, int[] shape) {
    int r = shape.length;
    if (aRank == 1 && bRank == 1) {
      return Arrays.copyOf(shape, r - 2);
    }
    if (aRank == 1) {
      int[] s = Arrays.copyOf(shape, r - 1);
      s[r - 2] = shape[r - 1];
      return s;
    }
    if (bRank == 1) {
      return Arrays.copyOf(shape, r - 1);
    }
    return shape;
  }

  private static Tensor generic(
      Tensor a, Tensor b, int m, int k, int n, int batches, int[] ai, int[] bi, int[] shape) {
    if (Numeric.integral(a.dtype())) {
      long[] x = Numeric.toLongs(a);
      long[] y = Numeric.toLongs(b);
      long[] out = new long[batches * m * n];
      for (int t = 0; t < batches; t++) {
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            long s = 0;
            for (int kk = 0; kk < k; kk++) {
              s += x[ai[t] + i * k + kk] * y[bi[t] + kk * n + j];
            }
            out[(t * m + i) * n + j] = s;
          }
        }
      }
      return Numeric.fromLongs(a.dtype(), shape, out);
    }
    double[] x = Numeric.toDoubles(a);
    double[] y = Numeric.toDoubles(b);
    double[] out = new double[batches * m * n];
    for (int t = 0; t < batches; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int kk = 0; kk < k; kk++) {
            s += x[ai[t] + i * k + kk] * y[bi[t] + kk * n + j];
          }
          out[(t * m + i) * n + j] = s;
        }
      }
    }
    return Numeric.fromDoubles(a.dtype(), shape, out);
  }
}
