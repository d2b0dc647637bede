package dev.octet.runtime.ops.shape;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.ops.Shapes;

/**
 * The one primitive behind most data movement: out[i] = src[index[i]], for any element type. Ops
 * compute the source index of each output element; this copies.
 */
public final class Movement {
  private Movement() {}

  public static Tensor gather(Tensor src, int[] index, int[] outShape) {
    return Tensor.wrap(src.dtype(), outShape, gather(src.data(), index, src.dtype()));
  }

  public static Object gather(Object src, int[] index, DType type) {
    int n = index.length;
    int mult = type.kind() == DType.Kind.COMPLEX ? 2 : 1;
    Object out = Tensor.allocate(type, n * mult);
    if (mult == 2) {
      for (int i = 0; i < n; i++) {
        System.arraycopy(src, 2 * index[i], out, 2 * i, 2);
      }
      return out;
    }
    switch (src) {
      case float[] s -> {
        float[] o = (float[]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      case long[] s -> {
        long[] o = (long[]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      case int[] s -> {
        int[] o = (int[]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      case byte[] s -> {
        byte[] o = (byte[]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      case short[] s -> {
        short[] o = (short[]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      case double[] s -> {
        double[] o = (double[]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      case byte[][] s -> {
        byte[][] o = (byte[][]) out;
        for (int i = 0; i < n; i++) {
          o[i] = s[index[i]];
        }
      }
      default -> throw new OctetException("cannot move " + type.onnxName() + " elements");
    }
    return out;
  }

  /**
   * Source index of every element of an output whose element at multi-index o reads the source at
   * sum(o[d] * strides[d]) + offset (strides may be 0 for broadcast or negative for reversal).
   */
  public static int[] strided(int[] outShape, int[] strides, int offset) {
    int n = Tensor.elementCount(outShape);
    int[] index = new int[n];
    int r = outShape.length;
    if (n == 0) {
      return index;
    }
    int[] idx = new int[r];
    int cur = offset;
    for (int i = 0; i < n; i++) {
      index[i] = cur;
      for (int d = r - 1; d >= 0; d--) {
        idx[d]++;
        cur += strides[d];
        if (idx[d] < outShape[d]) {
          break;
        }
        cur -= strides[d] * outShape[d];
        idx[d] = 0;
      }
    }
    return index;
  }

  /** Broadcasts {@code t} to {@code shape} (which must be a broadcast of t's shape). */
  public static Tensor expand(Tensor t, int[] shape) {
    return gather(t, strided(shape, Shapes.broadcastStrides(t.shape(), shape), 0), shape);
  }
}
