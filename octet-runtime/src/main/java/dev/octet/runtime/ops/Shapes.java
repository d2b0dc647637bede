package dev.octet.runtime.ops;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.Arrays;

/** Shape arithmetic shared by kernels. */
public final class Shapes {
  private Shapes() {}

  /** Row-major strides of {@code shape}. */
  public static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** Normalises a possibly negative axis for a tensor of {@code rank}. */
  public static int axis(long axis, int rank, String what) {
    if (axis < -rank || axis >= Math.max(rank, 1)) {
      throw new OctetException(what + " axis " + axis + " is out of range for rank " + rank);
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  public static int product(int[] shape, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= shape[i];
    }
    if (p > Tensor.MAX_ELEMENTS) {
      throw new OctetException("shape " + Arrays.toString(shape) + " is too large");
    }
    return (int) p;
  }

  /** Numpy-style broadcast of two shapes; an error that names both when they do not fit. */
  public static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      if (da != db && da != 1 && db != 1) {
        throw new OctetException(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " cannot broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /** Strides of {@code shape} seen inside the broadcast {@code out} shape (0 on broadcast dims). */
  public static int[] broadcastStrides(int[] shape, int[] out) {
    int[] s = new int[out.length];
    int[] own = strides(shape);
    int off = out.length - shape.length;
    for (int i = 0; i < shape.length; i++) {
      s[i + off] = shape[i] == 1 && out[i + off] != 1 ? 0 : own[i];
    }
    return s;
  }

  /** The values of a 1-D int64 (or int32) tensor as longs. */
  public static long[] longs(Tensor t) {
    return switch (t.dtype()) {
      case INT64 -> t.longs();
      case INT32 -> Arrays.stream(t.ints()).asLongStream().toArray();
      default -> throw new OctetException("expected an int64 tensor, got " + t.dtype().onnxName());
    };
  }

  public static int[] toInts(long[] v, String what) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
        throw new OctetException(what + " value " + v[i] + " is out of range");
      }
      out[i] = (int) v[i];
    }
    return out;
  }
}
