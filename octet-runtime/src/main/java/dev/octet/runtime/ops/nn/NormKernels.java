package dev.octet.runtime.ops.nn;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.ops.math.BinaryKernel;
import dev.octet.runtime.simd.VectorMath;
import java.util.Arrays;

/** BatchNormalization (inference), InstanceNormalization and LayerNormalization. */
public final class NormKernels {
  private NormKernels() {}

  /** y = scale * (x - mean) / sqrt(var + eps) + B, per channel (axis 1). */
  public static Kernel batchNorm(OpContext op) {
    float eps = op.attrs().getFloat("epsilon", 1e-5f);
    if (op.attrs().getInt("training_mode", 0) != 0) {
      throw op.error("training_mode=1 is not supported (inference only)");
    }
    return (ctx, in) -> {
      Tensor x = in[0];
      float[] scale = in[1].floats();
      float[] bias = in[2].floats();
      float[] mean = in[3].floats();
      float[] var = in[4].floats();
      int c = x.rank() > 1 ? x.dim(1) : 1;
      int n = x.dim(0);
      int inner = x.size() / Math.max(1, n * c);
      float[] xv = x.floats();
      float[] y = ctx.floats(xv.length);
      for (int b = 0; b < n; b++) {
        for (int ch = 0; ch < c; ch++) {
          float s = (float) (scale[ch] / Math.sqrt(var[ch] + eps));
          float t = bias[ch] - mean[ch] * s;
          int off = (b * c + ch) * inner;
          VectorMath.scaleShift(xv, off, inner, s, t, y, off);
        }
      }
      return new Tensor[] {Tensor.wrap(y, x.shape())};
    };
  }

  /** Per (image, channel): normalise over the spatial dims, then scale[c] and B[c]. */
  public static Kernel instanceNorm(OpContext op) {
    float eps = op.attrs().getFloat("epsilon", 1e-5f);
    return (ctx, in) -> {
      Tensor x = in[0];
      float[] scale = in[1].floats();
      float[] bias = in[2].floats();
      int c = x.dim(1);
      int planes = x.dim(0) * c;
      int size = x.size() / planes;
      float[] xv = x.floats();
      float[] y = ctx.floats(xv.length);
      for (int p = 0; p < planes; p++) {
        int off = p * size;
        float mean = VectorMath.sum(xv, off, size) / size;
        float var = VectorMath.sumSquaredDiff(xv, off, size, mean) / size;
        float inv = (float) (1 / Math.sqrt(var + eps));
        int ch = p % c;
        VectorMath.scaleShift(
            xv, off, size, inv * scale[ch], bias[ch] - mean * inv * scale[ch], y, off);
      }
      return new Tensor[] {Tensor.wrap(y, x.shape())};
    };
  }

  private static final BinaryKernel ADD =
      new BinaryKernel(VectorMath.Binary.ADD, Double::sum, Long::sum);

  /**
   * LayerNormalization over dims [axis, rank): outputs Y and, when asked, Mean and InvStdDev with
   * the normalised dims kept as 1. As com.octet.LayerNormalization with a fourth input (a residual
   * that {@code Fusions} folds in from the Add before it) it normalises X + skip.
   */
  public static Kernel layerNorm(OpContext op) {
    float eps = op.attrs().getFloat("epsilon", 1e-5f);
    long axisAttr = op.attrs().getInt("axis", -1);
    int outputs = op.node().outputs().size();
    return (ctx, in) -> {
      Tensor x = in[0];
      // com.octet.LayerNormalization's fourth input: a residual added to X first (SkipLayerNorm)
      Tensor skip = in.length > 3 ? in[3] : null;
      if (skip != null && !Arrays.equals(skip.shape(), x.shape())) {
        x = ADD.run(ctx, new Tensor[] {x, skip})[0];
        skip = null;
      }
      int axis = Shapes.axis(axisAttr, x.rank(), "LayerNormalization");
      int[] shape = x.shape();
      int rows = Shapes.product(shape, 0, axis);
      int size = Shapes.product(shape, axis, shape.length);
      float[] scale = in[1].floats();
      float[] bias = in.length > 2 && in[2] != null ? in[2].floats() : null;
      if (scale.length != size && scale.length != 1) {
        throw new OctetException("Scale has " + scale.length + " values, expected " + size);
      }
      float[] sv = skip == null ? null : skip.floats();
      float[] y = ctx.floats(x.size());
      // with a residual, each row of X + skip is summed into Y (in cache) and normalised there
      float[] xv = sv == null ? x.floats() : y;
      float[] xs = x.floats();
      float[] means = new float[rows];
      float[] invs = new float[rows];
      ctx.parallelFor(
          rows,
          16,
          (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
              int off = r * size;
              if (sv != null) {
                VectorMath.binary(xs, off, 1, sv, off, 1, y, off, size, VectorMath.Binary.ADD);
              }
              float mean = VectorMath.sum(xv, off, size) / size;
              float var = VectorMath.sumSquaredDiff(xv, off, size, mean) / size;
              float inv = (float) (1 / Math.sqrt(var + eps));
              means[r] = mean;
              invs[r] = inv;
              if (scale.length == size && (bias == null || bias.length == size)) {
                VectorMath.normalize(xv, off, size, mean, inv, scale, bias, y, off);
                continue;
              }
              for (int i = 0; i < size; i++) {
                float v = (xv[off + i] - mean) * inv * scale[scale.length == 1 ? 0 : i];
                y[off + i] = bias == null ? v : v + bias[bias.length == 1 ? 0 : i];
              }
            }
          });
      int[] statShape = shape.clone();
      for (int i = axis; i < statShape.length; i++) {
        statShape[i] = 1;
      }
      Tensor[] out = new Tensor[outputs];
      out[0] = Tensor.wrap(y, shape);
      if (outputs > 1) {
        out[1] = Tensor.wrap(means, statShape);
      }
      if (outputs > 2) {
        out[2] = Tensor.wrap(invs, statShape);
      }
      return out;
    };
  }

  /**
   * Local response normalisation across channels: y = x / (bias + alpha / size * sum of x^2 over
   * the size channels centred on c)^beta.
   */
  public static Kernel lrn(OpContext op) {
    float alpha = op.attrs().getFloat("alpha", 1e-4f);
    float beta = op.attrs().getFloat("beta", 0.75f);
    float bias = op.attrs().getFloat("bias", 1f);
    int size = (int) op.attrs().getInt("size");
    return (ctx, in) -> {
      Tensor x = in[0];
      int n = x.dim(0);
      int c = x.dim(1);
      int inner = x.size() / Math.max(1, n * c);
      float[] xv = x.floats();
      float[] y = ctx.floats(xv.length);
      int before = (size - 1) / 2;
      int after = size - 1 - before;
      for (int b = 0; b < n; b++) {
        for (int ch = 0; ch < c; ch++) {
          int lo = Math.max(0, ch - before);
          int hi = Math.min(c - 1, ch + after);
          for (int i = 0; i < inner; i++) {
            double sq = 0;
            for (int k = lo; k <= hi; k++) {
              float v = xv[(b * c + k) * inner + i];
              sq += v * v;
            }
            int idx = (b * c + ch) * inner + i;
            y[idx] = (float) (xv[idx] / Math.pow(bias + alpha / size * sq, beta));
          }
        }
      }
      return new Tensor[] {Tensor.wrap(y, x.shape())};
    };
  }
}
