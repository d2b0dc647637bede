package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Node;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.VectorMath;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * com.octet.MaskedSoftmax(x, mask): Softmax(x / divisor + mask), the scaled and masked attention
 * scores of a transformer (Div by sqrt(head size), Add of the attention mask, Softmax; see {@code
 * Fusions.fuseMaskedSoftmax}). Each row is scaled, masked and normalised while it is in cache,
 * instead of three passes over the whole score tensor. Scores are multiplied by 1 / divisor, as
 * fused attention kernels do (ONNX Runtime's FusedMatMul alpha): one rounding apart from the
 * division (a vector division costs as much as the rest of the row): the probabilities differ by
 * about one ulp of the score, relatively (2e-6 for scores near 15).
 */
public final class MaskedSoftmaxKernel implements Kernel {
  private final float divisor;
  private final long axis;

  private final SoftmaxKernel softmax;

  public MaskedSoftmaxKernel(OpContext op) {
    this.divisor = op.attrs().getFloat("divisor", 1f);
    this.axis = op.attrs().getInt("axis", -1);
    Node plain =
        new Node(
            op.node().name(),
            "Softmax",
            List.of(""),
            List.of(""),
            Attributes.of(Map.of("axis", AttributeValue.of(axis))));
    // the Softmax's own opset: before 13, the axis splits the shape into rows and columns
    long opset = op.attrs().getInt("opset", 13);
    this.softmax = new SoftmaxKernel(new OpContext(plain, opset, new Tensor[1]), false);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor mask = in[1];
    if (x.dtype() != DType.FLOAT || mask.dtype() != DType.FLOAT) {
      throw new OctetException(
          "scores and mask must be float32, got "
              + x.dtype().onnxName()
              + " and "
              + mask.dtype().onnxName());
    }
    int[] shape = Shapes.broadcast(x.shape(), mask.shape());
    int r = shape.length;
    if (r == 0 || !Arrays.equals(shape, x.shape()) || Shapes.axis(axis, r, "softmax") != r - 1) {
      return general(ctx, x, mask, shape);
    }
    int len = shape[r - 1];
    int rows = x.size() / Math.max(1, len);
    int[] ms = Shapes.broadcastStrides(mask.shape(), shape);
    float[] xv = x.floats();
    float[] mv = mask.floats();
    float[] y = ctx.floats(x.size());
    float scale = 1f / divisor;
    ctx.parallelFor(
        rows,
        Math.max(1, 4096 / Math.max(1, len)),
        (o0, o1) -> {
          for (int o = o0; o < o1; o++) {
            int base = o * len;
            // the mask row of score row o: its index over the leading dimensions
            int mOff = 0;
            for (int dim = r - 2, rest = o; dim >= 0; dim--) {
              mOff += (rest % shape[dim]) * ms[dim];
              rest /= shape[dim];
            }
            row(xv, base, scale, mv, mOff, ms[r - 1], y, base, len);
          }
        });
    return new Tensor[] {Tensor.wrap(y, shape)};
  }

  /**
   * One row: y[yo + i] = softmax over i of (x[xo + i] * scale + mask[mo + i * ms]), for i < n (the
   * mask row read with stride ms: 0 when one value is broadcast). x and y may be the same row.
   */
  public static void row(
      float[] x, int xo, float scale, float[] mask, int mo, int ms, float[] y, int yo, int n) {
    float max = VectorMath.scaleAddMax(x, xo, scale, mask, mo, ms, y, yo, n);
    SoftmaxKernel.softmax(y, yo, y, yo, n, max);
  }

  /**
   * Any other axis, or a mask that widens the scores: x * (1 / divisor) + mask materialised, then
   * an ordinary Softmax of the model's opset. (Over the last axis both opsets' Softmax agree.)
   */
  private Tensor[] general(ExecContext ctx, Tensor x, Tensor mask, int[] shape) {
    int[] xs = Shapes.broadcastStrides(x.shape(), shape);
    int[] ms = Shapes.broadcastStrides(mask.shape(), shape);
    float[] xv = x.floats();
    float[] mv = mask.floats();
    float[] t = new float[Tensor.elementCount(shape)];
    int[] idx = new int[shape.length];
    for (int e = 0; e < t.length; e++) {
      int xi = 0;
      int mi = 0;
      for (int d = 0; d < shape.length; d++) {
        xi += idx[d] * xs[d];
        mi += idx[d] * ms[d];
      }
      t[e] = xv[xi] * (1f / divisor) + mv[mi];
      for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
        idx[d] = 0;
      }
    }
    return softmax.run(ctx, new Tensor[] {Tensor.wrap(t, shape)});
  }
}
