package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.VectorMath;

/**
 * Softmax and LogSoftmax. Opset 13+: along one axis (default -1). Before 13: the input is seen as
 * 2-D, [prod(dims < axis), prod(dims >= axis)] (default axis 1), and normalised over the second.
 */
public final class SoftmaxKernel implements Kernel {
  private final long axisAttr;
  private final boolean legacy;
  private final boolean log;

  public SoftmaxKernel(OpContext op, boolean log) {
    this.legacy = op.opset() < 13;
    this.axisAttr = op.attrs().getInt("axis", legacy ? 1 : -1);
    this.log = log;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if (x.dtype() != DType.FLOAT) {
      if (!x.dtype().isFloatingPoint()) {
        throw new OctetException("needs a floating-point input, got " + x.dtype().onnxName());
      }
      Tensor y = run(ctx, new Tensor[] {Tensor.wrap(x.toFloatArray(), x.shape())})[0];
      return new Tensor[] {Numeric.fromDoubles(x.dtype(), y.shape(), Numeric.toDoubles(y))};
    }
    int[] shape = x.shape();
    int axis = Shapes.axis(axisAttr, x.rank(), "softmax");
    int outer = Shapes.product(shape, 0, axis);
    int len = legacy ? Shapes.product(shape, axis, shape.length) : shape[axis];
    int inner = legacy ? 1 : Shapes.product(shape, axis + 1, shape.length);
    float[] xv = x.floats();
    float[] y = ctx.floats(xv.length);
    ctx.parallelFor(
        outer,
        Math.max(1, 4096 / Math.max(1, len * inner)),
        (o0, o1) -> {
          float[] tmp = inner == 1 ? null : new float[len];
          for (int o = o0; o < o1; o++) {
            for (int i = 0; i < inner; i++) {
              int base = o * len * inner + i;
              if (inner == 1) {
                row(xv, base, y, base, len);
              } else {
                for (int k = 0; k < len; k++) {
                  tmp[k] = xv[base + k * inner];
                }
                row(tmp, 0, tmp, 0, len);
                for (int k = 0; k < len; k++) {
                  y[base + k * inner] = tmp[k];
                }
              }
            }
          }
        });
    return new Tensor[] {Tensor.wrap(y, shape)};
  }

  private void row(float[] x, int xo, float[] y, int yo, int n) {
    if (!log) {
      softmax(x, xo, y, yo, n);
      return;
    }
    float max = VectorMath.max(x, xo, n);
    float sum = 0;
    for (int i = 0; i < n; i++) {
      sum += (float) Math.exp(x[xo + i] - max);
    }
    float lse = max + (float) Math.log(sum);
    for (int i = 0; i < n; i++) {
      y[yo + i] = x[xo + i] - lse;
    }
  }

  /** y[yo..yo+n) = softmax(x[xo..xo+n)); x and y may be the same row. */
  static void softmax(float[] x, int xo, float[] y, int yo, int n) {
    softmax(x, xo, y, yo, n, VectorMath.max(x, xo, n));
  }

  /** As {@link #softmax(float[], int, float[], int, int)} with the row's maximum known. */
  static void softmax(float[] x, int xo, float[] y, int yo, int n, float max) {
    float sum = VectorMath.expShiftSum(x, xo, n, max, y, yo);
    VectorMath.scaleShift(y, yo, n, 1f / sum, 0f, y, yo);
  }
}
