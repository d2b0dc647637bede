package dev.octet.runtime.ops.shape;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;

/** Gather (rows along an axis: embeddings), GatherElements and Tile. */
public final class GatherKernels {
  private GatherKernels() {}

  /**
   * out[i..., j..., k...] = data[i..., indices[j...], k...]; negative indices count from the end.
   */
  public static Kernel gather(OpContext op) {
    long axisAttr = op.attrs().getInt("axis", 0);
    return (ctx, in) -> {
      Tensor data = in[0];
      long[] idx = Numeric.toLongs(in[1]);
      int[] s = data.shape();
      int axis = Shapes.axis(axisAttr, s.length, "Gather");
      int outer = Shapes.product(s, 0, axis);
      int inner = Shapes.product(s, axis + 1, s.length);
      int dim = s[axis];
      int[] is = in[1].shape();
      int[] out = new int[s.length - 1 + is.length];
      System.arraycopy(s, 0, out, 0, axis);
      System.arraycopy(is, 0, out, axis, is.length);
      System.arraycopy(s, axis + 1, out, axis + is.length, s.length - axis - 1);
      int mult = data.dtype().kind() == dev.octet.core.DType.Kind.COMPLEX ? 2 : 1;
      int size = Tensor.elementCount(out) * mult;
      // float rows (embedding lookups) go into a recycled buffer: a fresh one is zeroed first
      Object dst =
          data.dtype() == dev.octet.core.DType.FLOAT
              ? ctx.floats(size)
              : Tensor.allocate(data.dtype(), size);
      int row = inner * mult;
      for (int o = 0; o < outer; o++) {
        for (int j = 0; j < idx.length; j++) {
          long k = idx[j] < 0 ? idx[j] + dim : idx[j];
          if (k < 0 || k >= dim) {
            throw new OctetException(
                "index " + idx[j] + " is out of range for axis " + axis + " of size " + dim);
          }
          System.arraycopy(
              data.data(), (o * dim + (int) k) * row, dst, (o * idx.length + j) * row, row);
        }
      }
      return new Tensor[] {Tensor.wrap(data.dtype(), out, dst)};
    };
  }

  /** out[i][j][k] = data[index[i][j][k]][j][k] for axis 0, and so on. */
  public static Kernel gatherElements(OpContext op) {
    long axisAttr = op.attrs().getInt("axis", 0);
    return (ctx, in) -> {
      Tensor data = in[0];
      long[] idx = Numeric.toLongs(in[1]);
      int[] s = data.shape();
      int axis = Shapes.axis(axisAttr, s.length, "GatherElements");
      int[] is = in[1].shape();
      if (is.length != s.length) {
        throw new OctetException("indices must have the rank of data");
      }
      int[] ds = Shapes.strides(s);
      int[] index = new int[idx.length];
      int[] pos = new int[is.length];
      for (int i = 0; i < idx.length; i++) {
        long k = idx[i] < 0 ? idx[i] + s[axis] : idx[i];
        if (k < 0 || k >= s[axis]) {
          throw new OctetException(
              "index " + idx[i] + " is out of range for axis " + axis + " of size " + s[axis]);
        }
        int off = 0;
        for (int d = 0; d < s.length; d++) {
          off += (d == axis ? (int) k : pos[d]) * ds[d];
        }
        index[i] = off;
        for (int d = is.length - 1; d >= 0 && ++pos[d] == is[d]; d--) {
          pos[d] = 0;
        }
      }
      return new Tensor[] {Movement.gather(data, index, is)};
    };
  }

  public static Kernel tile(OpContext op) {
    return (ctx, in) -> {
      Tensor x = in[0];
      long[] reps = Shapes.longs(in[1]);
      int[] s = x.shape();
      if (reps.length != s.length) {
        throw new OctetException("repeats has " + reps.length + " values for rank " + s.length);
      }
      int[] out = new int[s.length];
      for (int d = 0; d < s.length; d++) {
        out[d] = Math.multiplyExact(s[d], (int) reps[d]);
      }
      int[] st = Shapes.strides(s);
      int n = Tensor.elementCount(out);
      int[] index = new int[n];
      int[] pos = new int[s.length];
      for (int i = 0; i < n; i++) {
        int off = 0;
        for (int d = 0; d < s.length; d++) {
          off += (pos[d] % s[d]) * st[d];
        }
        index[i] = off;
        for (int d = s.length - 1; d >= 0 && ++pos[d] == out[d]; d--) {
          pos[d] = 0;
        }
      }
      return new Tensor[] {Movement.gather(x, index, out)};
    };
  }
}
