package dev.octet.runtime.ops.shape;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Constants;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.KernelRegistry;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Registers the shape ops that only relabel or broadcast data: each is a lambda here; the larger
 * ones have classes of their own.
 */
public final class ShapeOps {
  private ShapeOps() {}

  public static void register(KernelRegistry.Builder r) {
    r.add("Reshape", 5, ShapeOps::reshape);
    r.add(
        "Flatten",
        1,
        op -> {
          long axisAttr = op.attrs().getInt("axis", 1);
          return (ctx, in) -> {
            int[] s = in[0].shape();
            int axis = axisAttr < 0 ? (int) axisAttr + s.length : (int) axisAttr;
            if (axis < 0 || axis > s.length) {
              throw new OctetException(
                  "axis " + axisAttr + " is out of range for rank " + s.length);
            }
            return new Tensor[] {
              in[0].reshape(Shapes.product(s, 0, axis), Shapes.product(s, axis, s.length))
            };
          };
        });
    r.add("Squeeze", 1, ShapeOps::squeeze);
    r.add("Unsqueeze", 1, ShapeOps::unsqueeze);
    r.add(
        "Shape",
        1,
        op -> {
          long start = op.attrs().getInt("start", 0);
          Long end = op.attrs().has("end") ? op.attrs().getInt("end") : null;
          return (ctx, in) -> {
            int[] s = in[0].shape();
            int from = clamp(start < 0 ? start + s.length : start, s.length);
            int to = end == null ? s.length : clamp(end < 0 ? end + s.length : end, s.length);
            long[] out = new long[Math.max(0, to - from)];
            for (int i = 0; i < out.length; i++) {
              out[i] = s[from + i];
            }
            return new Tensor[] {Tensor.wrap(out, out.length)};
          };
        });
    r.add("Size", 1, op -> (ctx, in) -> new Tensor[] {Tensor.scalar((long) in[0].size())});
    r.add(
        "Expand",
        8,
        op ->
            (ctx, in) -> {
              int[] target = Shapes.toInts(Shapes.longs(in[1]), "shape");
              return new Tensor[] {Movement.expand(in[0], Shapes.broadcast(in[0].shape(), target))};
            });
    r.add(
        "Constant",
        1,
        op -> {
          Tensor value = Constants.valueOf(op.node());
          return (ctx, in) -> new Tensor[] {value};
        });
    r.add(
        "ConstantOfShape",
        9,
        op -> {
          Tensor value =
              op.attrs().has("value")
                  ? op.attrs().getTensor("value")
                  : Tensor.wrap(new float[] {0f}, 1);
          if (value.size() != 1) {
            throw op.error("value must hold one element");
          }
          return (ctx, in) -> {
            int[] shape = Shapes.toInts(Shapes.longs(in[0]), "shape");
            return new Tensor[] {
              Movement.gather(value, new int[Tensor.elementCount(shape)], shape)
            };
          };
        });
    r.add("Dropout", 1, ShapeOps::dropout);
    r.add("Range", 11, op -> (ctx, in) -> new Tensor[] {range(in[0], in[1], in[2])});
  }

  private static int clamp(long v, int n) {
    return (int) Math.max(0, Math.min(n, v));
  }

  private static Kernel reshape(OpContext op) {
    boolean allowZero = op.attrs().getInt("allowzero", 0) != 0;
    return (ctx, in) -> {
      long[] spec = Shapes.longs(in[1]);
      int[] s = in[0].shape();
      int[] out = new int[spec.length];
      int infer = -1;
      long known = 1;
      for (int i = 0; i < spec.length; i++) {
        long v = spec[i];
        if (v == -1) {
          if (infer >= 0) {
            throw new OctetException("shape " + Arrays.toString(spec) + " has more than one -1");
          }
          infer = i;
          continue;
        }
        if (v == 0 && !allowZero) {
          if (i >= s.length) {
            throw new OctetException(
                "shape "
                    + Arrays.toString(spec)
                    + " copies dimension "
                    + i
                    + " that the input lacks");
          }
          v = s[i];
        }
        if (v < 0) {
          throw new OctetException("shape " + Arrays.toString(spec) + " has a negative dimension");
        }
        out[i] = (int) v;
        known *= v;
      }
      if (infer >= 0) {
        if (known == 0 || in[0].size() % known != 0) {
          throw new OctetException(
              "cannot reshape "
                  + Arrays.toString(s)
                  + " ("
                  + in[0].size()
                  + " elements) to "
                  + Arrays.toString(spec));
        }
        out[infer] = (int) (in[0].size() / known);
      }
      try {
        return new Tensor[] {in[0].reshape(out)};
      } catch (OctetException e) {
        throw new OctetException(
            "cannot reshape " + Arrays.toString(s) + " to " + Arrays.toString(spec));
      }
    };
  }

  /** Axes from the attribute (before opset 13) or the optional second input. */
  static int[] axes(OpContext op, Tensor[] in, int inputIndex, int rank, String what) {
    long[] a = op.attrs().getInts("axes");
    if (a == null && in.length > inputIndex && in[inputIndex] != null) {
      a = Shapes.longs(in[inputIndex]);
    }
    if (a == null) {
      return null;
    }
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Shapes.axis(a[i], rank, what);
    }
    return out;
  }

  private static Kernel squeeze(OpContext op) {
    return (ctx, in) -> {
      int[] s = in[0].shape();
      int[] axes = axes(op, in, 1, s.length, "Squeeze");
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < s.length; i++) {
        final int d = i;
        boolean listed = axes == null ? s[i] == 1 : Arrays.stream(axes).anyMatch(x -> x == d);
        if (listed && s[i] != 1) {
          throw new OctetException("cannot squeeze axis " + i + " of size " + s[i]);
        }
        if (!listed) {
          out.add(s[i]);
        }
      }
      return new Tensor[] {in[0].reshape(out.stream().mapToInt(Integer::intValue).toArray())};
    };
  }

  private static Kernel unsqueeze(OpContext op) {
    return (ctx, in) -> {
      int[] s = in[0].shape();
      long[] a = op.attrs().getInts("axes");
      if (a == null) {
        if (in.length < 2 || in[1] == null) {
          throw new OctetException("axes are missing");
        }
        a = Shapes.longs(in[1]);
      }
      int rank = s.length + a.length;
      boolean[] inserted = new boolean[rank];
      for (long v : a) {
        int ax = Shapes.axis(v, rank, "Unsqueeze");
        if (inserted[ax]) {
          throw new OctetException("axis " + v + " is repeated");
        }
        inserted[ax] = true;
      }
      int[] out = new int[rank];
      for (int i = 0, j = 0; i < rank; i++) {
        out[i] = inserted[i] ? 1 : s[j++];
      }
      return new Tensor[] {in[0].reshape(out)};
    };
  }

  private static Kernel dropout(OpContext op) {
    boolean mask = op.node().outputs().size() > 1 && !op.node().output(1).isEmpty();
    return (ctx, in) -> {
      if (in.length > 2 && in[2] != null && in[2].bytes()[0] != 0) {
        float ratio = in.length > 1 && in[1] != null ? (float) in[1].getDouble(0) : 0.5f;
        if (ratio != 0f) {
          throw new OctetException("training_mode=true is not supported (inference only)");
        }
      }
      Tensor y = in[0];
      if (!mask) {
        return new Tensor[] {y};
      }
      byte[] ones = new byte[y.size()];
      Arrays.fill(ones, (byte) 1);
      return new Tensor[] {y, Tensor.wrap(DType.BOOL, y.shape(), ones)};
    };
  }

  private static Tensor range(Tensor start, Tensor limit, Tensor delta) {
    double s = start.getDouble(0);
    double l = limit.getDouble(0);
    double d = delta.getDouble(0);
    if (d == 0) {
      throw new OctetException("delta must not be 0");
    }
    long n = Math.max(0, (long) Math.ceil((l - s) / d));
    if (n > Tensor.MAX_ELEMENTS) {
      throw new OctetException("range of " + n + " elements is too large");
    }
    double[] v = new double[(int) n];
    for (int i = 0; i < n; i++) {
      v[i] = s + i * d;
    }
    if (dev.octet.runtime.ops.Numeric.integral(start.dtype())) {
      long[] l2 = new long[v.length];
      long ls = (long) s;
      long ld = (long) d;
      for (int i = 0; i < l2.length; i++) {
        l2[i] = ls + i * ld;
      }
      return dev.octet.runtime.ops.Numeric.fromLongs(start.dtype(), new int[] {v.length}, l2);
    }
    return dev.octet.runtime.ops.Numeric.fromDoubles(start.dtype(), new int[] {v.length}, v);
  }
}
