package dev.octet.runtime.ops.reduce;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import java.util.Arrays;

/** ArgMax, ArgMin, CumSum and TopK: ops that walk one axis. */
public final class AxisKernels {
  private AxisKernels() {}

  public static Kernel argExtreme(OpContext op, boolean max) {
    long axisAttr = op.attrs().getInt("axis", 0);
    boolean keep = op.attrs().getInt("keepdims", 1) != 0;
    boolean last = op.attrs().getInt("select_last_index", 0) != 0;
    return (ctx, in) -> {
      Tensor x = in[0];
      int[] s = x.shape();
      int axis = Shapes.axis(axisAttr, s.length, op.node().opType());
      int outer = Shapes.product(s, 0, axis);
      int len = s[axis];
      int inner = Shapes.product(s, axis + 1, s.length);
      double[] v = Numeric.toDoubles(x);
      long[] out = new long[outer * inner];
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < inner; i++) {
          int best = 0;
          double bv = v[o * len * inner + i];
          for (int k = 1; k < len; k++) {
            double e = v[(o * len + k) * inner + i];
            boolean better = max ? (last ? e >= bv : e > bv) : (last ? e <= bv : e < bv);
            if (better) {
              best = k;
              bv = e;
            }
          }
          out[o * inner + i] = best;
        }
      }
      int[] shape;
      if (keep) {
        shape = s.clone();
        shape[axis] = 1;
      } else {
        shape = new int[s.length - 1];
        System.arraycopy(s, 0, shape, 0, axis);
        System.arraycopy(s, axis + 1, shape, axis, s.length - axis - 1);
      }
      return new Tensor[] {Tensor.wrap(out, shape)};
    };
  }

  public static Kernel cumSum(OpContext op) {
    boolean exclusive = op.attrs().getInt("exclusive", 0) != 0;
    boolean reverse = op.attrs().getInt("reverse", 0) != 0;
    return (ctx, in) -> {
      Tensor x = in[0];
      int[] s = x.shape();
      int axis = Shapes.axis(Numeric.toLongs(in[1])[0], s.length, "CumSum");
      int outer = Shapes.product(s, 0, axis);
      int len = s[axis];
      int inner = Shapes.product(s, axis + 1, s.length);
      boolean integral = Numeric.integral(x.dtype());
      double[] v = integral ? null : Numeric.toDoubles(x);
      long[] l = integral ? Numeric.toLongs(x) : null;
      double[] dv = integral ? null : new double[v.length];
      long[] lv = integral ? new long[l.length] : null;
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < inner; i++) {
          double acc = 0;
          long lacc = 0;
          for (int t = 0; t < len; t++) {
            int k = reverse ? len - 1 - t : t;
            int idx = (o * len + k) * inner + i;
            if (integral) {
              if (exclusive) {
                lv[idx] = lacc;
                lacc += l[idx];
              } else {
                lacc += l[idx];
                lv[idx] = lacc;
              }
            } else if (exclusive) {
              dv[idx] = acc;
              acc += v[idx];
            } else {
              acc += v[idx];
              dv[idx] = acc;
            }
          }
        }
      }
      return new Tensor[] {
        integral ? Numeric.fromLongs(x.dtype(), s, lv) : Numeric.fromDoubles(x.dtype(), s, dv)
      };
    };
  }

  public static Kernel topK(OpContext op) {
    long axisAttr = op.attrs().getInt("axis", -1);
    boolean largest = op.attrs().getInt("largest", 1) != 0;
    long kAttr = op.attrs().getInt("k", -1);
    return (ctx, in) -> {
      Tensor x = in[0];
      long kk = in.length > 1 && in[1] != null ? Numeric.toLongs(in[1])[0] : kAttr;
      int[] s = x.shape();
      int axis = Shapes.axis(axisAttr, s.length, "TopK");
      int len = s[axis];
      if (kk < 0 || kk > len) {
        throw new OctetException("k=" + kk + " is out of range for axis of size " + len);
      }
      int k = (int) kk;
      int outer = Shapes.product(s, 0, axis);
      int inner = Shapes.product(s, axis + 1, s.length);
      double[] v = Numeric.toDoubles(x);
      int[] outShape = s.clone();
      outShape[axis] = k;
      double[] vals = new double[outer * k * inner];
      long[] idx = new long[vals.length];
      Integer[] order = new Integer[len];
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < inner; i++) {
          final int base = o * len * inner + i;
          for (int t = 0; t < len; t++) {
            order[t] = t;
          }
          Arrays.sort(
              order,
              (p, q) -> {
                int c = Double.compare(v[base + p * inner], v[base + q * inner]);
                return c != 0 ? (largest ? -c : c) : Integer.compare(p, q);
              });
          for (int t = 0; t < k; t++) {
            int dst = (o * k + t) * inner + i;
            vals[dst] = v[base + order[t] * inner];
            idx[dst] = order[t];
          }
        }
      }
      return new Tensor[] {
        Numeric.fromDoubles(x.dtype(), outShape, vals), Tensor.wrap(idx, outShape)
      };
    };
  }
}
