package dev.octet.runtime.ops.reduce;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.VectorMath;

/**
 * ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum,
 * ReduceLogSumExp and ReduceSumSquare. Axes come from the attribute or (ReduceSum from opset 13,
 * the others from 18) the second input. A float32 reduction over trailing axes runs vectorised per
 * row; every other case accumulates in double (or long for integer sums and extrema).
 */
public final class ReduceKernel implements Kernel {
  /** The reduction, applied as fold then finish. */
  public enum Kind {
    SUM,
    MEAN,
    MAX,
    MIN,
    PROD,
    L1,
    L2,
    LOG_SUM,
    LOG_SUM_EXP,
    SUM_SQUARE
  }

  private final OpContext op;
  private final Kind kind;
  private final boolean keepDims;
  private final boolean noopWithEmptyAxes;

  public ReduceKernel(OpContext op, Kind kind) {
    this.op = op;
    this.kind = kind;
    this.keepDims = op.attrs().getInt("keepdims", 1) != 0;
    this.noopWithEmptyAxes = op.attrs().getInt("noop_with_empty_axes", 0) != 0;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int r = x.rank();
    long[] axesSpec = op.attrs().getInts("axes");
    if (axesSpec == null && in.length > 1 && in[1] != null) {
      axesSpec = Shapes.longs(in[1]);
    }
    boolean[] reduce = new boolean[r];
    if (axesSpec == null || axesSpec.length == 0) {
      if (noopWithEmptyAxes) {
        return new Tensor[] {x};
      }
      java.util.Arrays.fill(reduce, true);
    } else {
      for (long a : axesSpec) {
        reduce[Shapes.axis(a, r, op.node().opType())] = true;
      }
    }
    int[] s = x.shape();
    int[] kept = new int[r];
    int count = 1;
    for (int d = 0; d < r; d++) {
      kept[d] = reduce[d] ? 1 : s[d];
      if (reduce[d]) {
        count *= s[d];
      }
    }
    int[] outShape =
        keepDims
            ? kept
            : java.util.stream.IntStream.range(0, r)
                .filter(d -> !reduce[d])
                .map(d -> s[d])
                .toArray();
    int outSize = Tensor.elementCount(kept);
    boolean trailing = true;
    for (int d = 0, seen = 0; d < r; d++) {
      seen |= reduce[d] ? 1 : 0;
      if (seen == 1 && !reduce[d] && s[d] != 1) {
        trailing = false;
      }
    }
    if (x.dtype() == DType.FLOAT
        && trailing
        && (kind == Kind.SUM || kind == Kind.MEAN || kind == Kind.MAX)) {
      float[] xv = x.floats();
      float[] y = new float[outSize];
      int n = count;
      for (int o = 0; o < outSize; o++) {
        y[o] =
            n == 0
                ? (kind == Kind.MAX ? Float.NEGATIVE_INFINITY : 0f)
                : kind == Kind.MAX
                    ? VectorMath.max(xv, o * n, n)
                    : VectorMath.sum(xv, o * n, n) / (kind == Kind.MEAN ? n : 1);
      }
      return new Tensor[] {Tensor.wrap(y, outShape)};
    }
    int[] outStrides = Shapes.strides(kept);
    int[] map = new int[x.size()];
    int[] pos = new int[r];
    for (int i = 0; i < map.length; i++) {
      int o = 0;
      for (int d = 0; d < r; d++) {
        if (!reduce[d]) {
          o += pos[d] * outStrides[d];
        }
      }
      map[i] = o;
      for (int d = r - 1; d >= 0 && ++pos[d] == s[d]; d--) {
        pos[d] = 0;
      }
    }
    boolean integral = Numeric.integral(x.dtype());
    if (integral
        && kind != Kind.MEAN
        && kind != Kind.L2
        && kind != Kind.LOG_SUM
        && kind != Kind.LOG_SUM_EXP) {
      long[] v = Numeric.toLongs(x);
      long[] acc = new long[outSize];
      java.util.Arrays.fill(
          acc,
          kind == Kind.PROD
              ? 1
              : kind == Kind.MAX ? Long.MIN_VALUE : kind == Kind.MIN ? Long.MAX_VALUE : 0);
      for (int i = 0; i < v.length; i++) {
        int o = map[i];
        acc[o] =
            switch (kind) {
              case MAX -> Math.max(acc[o], v[i]);
              case MIN -> Math.min(acc[o], v[i]);
              case PROD -> acc[o] * v[i];
              case L1 -> acc[o] + Math.abs(v[i]);
              case SUM_SQUARE -> acc[o] + v[i] * v[i];
              default -> acc[o] + v[i];
            };
      }
      return new Tensor[] {Numeric.fromLongs(x.dtype(), outShape, acc)};
    }
    double[] v = Numeric.toDoubles(x);
    double[] acc = new double[outSize];
    double[] maxes = null;
    if (kind == Kind.LOG_SUM_EXP) {
      maxes = new double[outSize];
      java.util.Arrays.fill(maxes, Double.NEGATIVE_INFINITY);
      for (int i = 0; i < v.length; i++) {
        maxes[map[i]] = Math.max(maxes[map[i]], v[i]);
      }
    }
    java.util.Arrays.fill(
        acc,
        kind == Kind.PROD
            ? 1
            : kind == Kind.MAX
                ? Double.NEGATIVE_INFINITY
                : kind == Kind.MIN ? Double.POSITIVE_INFINITY : 0);
    for (int i = 0; i < v.length; i++) {
      int o = map[i];
      double e = v[i];
      acc[o] =
          switch (kind) {
            case MAX -> Math.max(acc[o], e);
            case MIN -> Math.min(acc[o], e);
            case PROD -> acc[o] * e;
            case L1 -> acc[o] + Math.abs(e);
            case L2, SUM_SQUARE -> acc[o] + e * e;
            case LOG_SUM_EXP -> acc[o] + Math.exp(e - maxes[o]);
            default -> acc[o] + e;
          };
    }
    for (int o = 0; o < outSize; o++) {
      acc[o] =
          switch (kind) {
            case MEAN -> acc[o] / count;
            case L2 -> Math.sqrt(acc[o]);
            case LOG_SUM -> Math.log(acc[o]);
            case LOG_SUM_EXP -> count == 0 ? Double.NEGATIVE_INFINITY : Math.log(acc[o]) + maxes[o];
            default -> acc[o];
          };
    }
    return new Tensor[] {Numeric.fromDoubles(x.dtype(), outShape, acc)};
  }
}
