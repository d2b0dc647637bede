package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.simd.Igemm;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.PackedB8;
import dev.octet.runtime.simd.QuantVec;

/**
 * The exact 8-bit matrix product shared by the integer kernels: Y[M][N] = sum_k (A[m][k] - za) *
 * (B[k][n] - zb[n]) in int32. B is packed into byte panels ({@link PackedB8}, once at planning time
 * when it is a constant); the product runs on {@link Igemm} with B's stored values and the zero
 * point of B is applied afterwards: Y = A'B - zb[n] * rowsum(A'), so symmetric weights cost nothing
 * extra.
 */
public final class IntegerMatMul {
  private IntegerMatMul() {}

  /** An 8-bit B packed once, with its zero points relative to the stored values (zb - offset). */
  public record Weights(PackedB8 packed, int[] zero) {
    /**
     * B packed at planning time: when input {@code bInput} is a constant and its zero point (input
     * {@code zpInput}) is absent or constant; otherwise null (packed per run).
     */
    static Weights ifConstant(OpContext op, int bInput, int zpInput, boolean transposed) {
      Tensor b = op.constant(bInput);
      Tensor zp = op.hasInput(zpInput) ? op.constant(zpInput) : null;
      boolean zpKnown = !op.hasInput(zpInput) || zp != null;
      return b != null && zpKnown ? of(b, zp, transposed) : null;
    }

    /**
     * @param b [K, N], or [N, K] when {@code transposed}
     * @param zp B's zero point: null, one value, or one per column N
     */
    public static Weights of(Tensor b, Tensor zp, boolean transposed) {
      if (b.rank() != 2) {
        throw new OctetException(
            "B must be 2-D, got shape " + java.util.Arrays.toString(b.shape()));
      }
      boolean unsigned = eightBit(b, "B");
      int k = transposed ? b.dim(1) : b.dim(0);
      int n = transposed ? b.dim(0) : b.dim(1);
      return of(b.bytes(), 0, b.dim(1), k, n, transposed, unsigned, zeroPoints(zp));
    }

    /** B from raw bytes laid out as {@link PackedB8#pack} reads them; zp: one or n zero points. */
    public static Weights of(
        byte[] b, int off, int ld, int k, int n, boolean transposed, boolean unsigned, int[] zp) {
      PackedB8 p = PackedB8.pack(b, off, ld, k, n, transposed, unsigned);
      int[] z = zp.clone();
      if (z.length != 1 && z.length != n) {
        throw new OctetException(
            "B's zero point has " + z.length + " values for " + n + " columns");
      }
      for (int i = 0; i < z.length; i++) {
        z[i] -= p.offset();
      }
      return new Weights(p, z);
    }

    public int k() {
      return packed.k();
    }

    public int n() {
      return packed.n();
    }

    boolean symmetric() {
      for (int z : zero) {
        if (z != 0) {
          return false;
        }
      }
      return true;
    }

    /** Bytes held, for memory accounting. */
    public long bytes() {
      return packed.bytes() + 4L * zero.length;
    }
  }

  /** Input {@code i}, or null when the node leaves it out (optional trailing inputs). */
  static Tensor optional(Tensor[] in, int i) {
    return i < in.length ? in[i] : null;
  }

  /** True for uint8, false for int8; anything else is an error naming {@code what}. */
  static boolean eightBit(Tensor t, String what) {
    if (t.dtype() != DType.UINT8 && t.dtype() != DType.INT8) {
      throw new OctetException(what + " must be uint8 or int8, got " + t.dtype().onnxName());
    }
    return t.dtype() == DType.UINT8;
  }

  /** A zero-point tensor as ints; {0} when absent. */
  static int[] zeroPoints(Tensor zp) {
    if (zp == null) {
      return new int[] {0};
    }
    long[] v = Numeric.toLongs(zp);
    int[] z = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      z[i] = (int) v[i];
    }
    return z;
  }

  /**
   * A[M][K] (8-bit, starting at element {@code off}) minus its zero point (one, or one per row), as
   * floats: exact integers of magnitude at most 255.
   */
  static float[] shifted(Tensor a, int off, int m, int k, int[] za) {
    boolean unsigned = eightBit(a, "A");
    if (za.length != 1 && za.length != m) {
      throw new OctetException("A's zero point has " + za.length + " values for " + m + " rows");
    }
    byte[] v = a.bytes();
    float[] out = new float[m * k];
    if (za.length == 1) {
      QuantVec.widenShifted(v, off, m * k, unsigned, za[0], out);
      return out;
    }
    float[] row = new float[k];
    for (int i = 0; i < m; i++) {
      QuantVec.widenShifted(v, off + i * k, k, unsigned, za[i], row);
      System.arraycopy(row, 0, out, i * k, k);
    }
    return out;
  }

  /** Y = A' * (B - zb) in int32, A' from {@link #shifted}. */
  static int[] multiply(float[] a, int m, Weights b, ExecContext ctx) {
    int k = b.k();
    int n = b.n();
    int[] y = new int[m * n];
    Igemm.multiply(a, 0, k, m, b.packed(), y, 0, n, ctx);
    if (!b.symmetric()) {
      for (int i = 0; i < m; i++) {
        int rowSum = 0;
        for (int kk = 0; kk < k; kk++) {
          rowSum += (int) a[i * k + kk];
        }
        for (int j = 0; j < n; j++) {
          y[i * n + j] -= b.zero()[b.zero().length == 1 ? 0 : j] * rowSum;
        }
      }
    }
    return y;
  }

  /** Y = A' * (B - zb) in int32 with A' packed (e.g. by {@link PackedA#packQuantized}). */
  static int[] multiply(PackedA a, Weights b, ExecContext ctx) {
    int m = a.m();
    int n = b.n();
    int[] y = new int[m * n];
    Igemm.multiply(a, b.packed(), y, 0, n, ctx);
    if (!b.symmetric()) {
      int[] rowSums = a.rowSums();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          y[i * n + j] -= b.zero()[b.zero().length == 1 ? 0 : j] * rowSums[i];
        }
      }
    }
    return y;
  }

  /**
   * ONNX Runtime's requantization: q = saturate(round_half_even(acc * multiplier) + zy), with the
   * multiplier sa * sb / sy computed once in float.
   */
  static long requantize(int acc, float multiplier, long zy, long qmin, long qmax) {
    double r = Math.rint(acc * multiplier) + zy;
    return (long) Math.max(qmin, Math.min(qmax, r));
  }
}
