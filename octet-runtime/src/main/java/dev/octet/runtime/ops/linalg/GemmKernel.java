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
 * Gemm: Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A (M x K), B' likewise (K x N), C
 * broadcast to (M, N). A constant B is packed once at planning time, transposition included.
 */
public final class GemmKernel implements Kernel {
  private final float alpha;
  private final float beta;
  private final boolean transA;
  private final boolean transB;
  private final PackedB packedB;

  @Override
  public long packedBytes() {
    return packedB == null ? 0 : packedB.bytes();
  }

  public GemmKernel(OpContext op) {
    alpha = op.attrs().getFloat("alpha", 1f);
    beta = op.attrs().getFloat("beta", 1f);
    transA = op.attrs().getInt("transA", 0) != 0;
    transB = op.attrs().getInt("transB", 0) != 0;
    Tensor b = op.constant(1);
    if (b != null && b.dtype() == DType.FLOAT && b.rank() == 2) {
      int k = transB ? b.dim(1) : b.dim(0);
      int n = transB ? b.dim(0) : b.dim(1);
      packedB = PackedB.pack(b.floats(), 0, b.dim(1), k, n, transB);
    } else {
      packedB = null;
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    Tensor c = in.length > 2 ? in[2] : null;
    if (a.rank() != 2 || b.rank() != 2) {
      throw new OctetException(
          "A and B must be 2-D, got "
              + Arrays.toString(a.shape())
              + " and "
              + Arrays.toString(b.shape()));
    }
    int m = transA ? a.dim(1) : a.dim(0);
    int k = transA ? a.dim(0) : a.dim(1);
    int kb = transB ? b.dim(1) : b.dim(0);
    int n = transB ? b.dim(0) : b.dim(1);
    if (k != kb) {
      throw new OctetException(
          "inner dimensions differ: A' is " + m + "x" + k + ", B' is " + kb + "x" + n);
    }
    if (a.dtype() != DType.FLOAT) {
      return new Tensor[] {generic(a, b, c, m, k, n)};
    }
    float[] x = a.floats();
    if (transA) {
      x = transpose(x, a.dim(0), a.dim(1));
    }
    PackedB pb = packedB != null ? packedB : PackedB.pack(b.floats(), 0, b.dim(1), k, n, transB);
    float[] out = ctx.floats(m * n);
    Sgemm.multiply(x, 0, k, m, pb, out, 0, n, ctx);
    if (alpha != 1f) {
      for (int i = 0; i < out.length; i++) {
        out[i] *= alpha;
      }
    }
    if (c != null && beta != 0f) {
      float[] cv = c.floats();
      int[] cs = Shapes.broadcastStrides(c.shape(), new int[] {m, n});
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          out[i * n + j] += beta * cv[i * cs[0] + j * cs[1]];
        }
      }
    }
    return new Tensor[] {Tensor.wrap(out, m, n)};
  }

  static float[] transpose(float[] x, int rows, int cols) {
    float[] t = new float[x.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = x[i * cols + j];
      }
    }
    return t;
  }

  private Tensor generic(Tensor a, Tensor b, Tensor c, int m, int k, int n) {
    double[] x = Numeric.toDoubles(a);
    double[] y = Numeric.toDoubles(b);
    double[] out = new double[m * n];
    int[] cs = c == null ? null : Shapes.broadcastStrides(c.shape(), new int[] {m, n});
    double[] cv = c == null ? null : Numeric.toDoubles(c);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int kk = 0; kk < k; kk++) {
          double av = transA ? x[kk * m + i] : x[i * k + kk];
          double bv = transB ? y[j * k + kk] : y[kk * n + j];
          s += av * bv;
        }
        s *= alpha;
        if (cv != null) {
          s += beta * cv[i * cs[0] + j * cs[1]];
        }
        out[i * n + j] = s;
      }
    }
    return Numeric.fromDoubles(a.dtype(), new int[] {m, n}, out);
  }
}
