package dev.octet.runtime.ops.shape;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;

/**
 * Resize (opset 10+) and Upsample with modes nearest and linear over any number of dimensions.
 * Output size from 'sizes' or 'scales'; coordinate_transformation_mode half_pixel (default),
 * asymmetric, align_corners, pytorch_half_pixel; nearest_mode round_prefer_floor (default),
 * round_prefer_ceil, floor, ceil. Linear interpolation is separable, one dimension at a time.
 */
public final class ResizeKernel implements Kernel {
  private final String mode;
  private final String coord;
  private final String nearest;
  private final boolean upsample;
  private final long opset;
  private final float[] scalesAttr;

  public ResizeKernel(OpContext op) {
    this.upsample = op.node().opType().equals("Upsample");
    this.opset = op.opset();
    this.mode = op.attrs().getString("mode", "nearest");
    this.coord =
        op.attrs()
            .getString(
                "coordinate_transformation_mode",
                upsample || opset < 11 ? "asymmetric" : "half_pixel");
    this.nearest =
        op.attrs().getString("nearest_mode", opset < 11 ? "floor" : "round_prefer_floor");
    this.scalesAttr = op.attrs().getFloats("scales");
    if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("bilinear")) {
      throw op.error("mode '" + mode + "' is not supported (nearest and linear are)");
    }
    if (op.attrs().has("antialias") && op.attrs().getInt("antialias", 0) != 0) {
      throw op.error("antialias is not supported");
    }
    if (op.attrs().has("axes")
        || op.attrs().getString("keep_aspect_ratio_policy", "stretch").equals("stretch") == false) {
      throw op.error("axes and keep_aspect_ratio_policy are not supported");
    }
    if (coord.equals("tf_crop_and_resize") || coord.equals("half_pixel_symmetric")) {
      throw op.error("coordinate_transformation_mode '" + coord + "' is not supported");
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if (x.dtype() != DType.FLOAT) {
      throw new OctetException("Resize supports float32 only");
    }
    int r = x.rank();
    int[] s = x.shape();
    float[] scales = new float[r];
    int[] out = new int[r];
    Tensor scalesIn =
        upsample || opset < 11 ? (in.length > 1 ? in[1] : null) : (in.length > 2 ? in[2] : null);
    Tensor sizesIn = !upsample && opset >= 11 && in.length > 3 ? in[3] : null;
    if (sizesIn != null && sizesIn.size() > 0) {
      long[] sz = Shapes.longs(sizesIn);
      for (int d = 0; d < r; d++) {
        out[d] = (int) sz[d];
        scales[d] = (float) out[d] / s[d];
      }
    } else {
      float[] sc =
          scalesAttr != null ? scalesAttr : (scalesIn != null ? scalesIn.toFloatArray() : null);
      if (sc == null || sc.length != r) {
        throw new OctetException("needs one scale or size per dimension");
      }
      for (int d = 0; d < r; d++) {
        scales[d] = sc[d];
        out[d] = (int) Math.floor(s[d] * (double) sc[d]);
      }
    }
    float[] cur = x.floats();
    int[] curShape = s.clone();
    for (int d = 0; d < r; d++) {
      if (out[d] == curShape[d] && scales[d] == 1f) {
        continue;
      }
      int[] next = curShape.clone();
      next[d] = out[d];
      cur = resizeAxis(cur, curShape, d, out[d], scales[d]);
      curShape = next;
    }
    return new Tensor[] {Tensor.wrap(cur == x.floats() ? cur.clone() : cur, out)};
  }

  private float[] resizeAxis(float[] x, int[] shape, int axis, int outLen, float scale) {
    int outer = Shapes.product(shape, 0, axis);
    int inner = Shapes.product(shape, axis + 1, shape.length);
    int inLen = shape[axis];
    float[] y = new float[outer * outLen * inner];
    for (int o = 0; o < outLen; o++) {
      double src = original(o, scale, inLen, outLen);
      int i0;
      int i1;
      float w1;
      if (mode.equals("nearest")) {
        i0 = clamp(round(src, o), inLen);
        i1 = i0;
        w1 = 0;
      } else {
        src = Math.max(0, Math.min(inLen - 1, src));
        i0 = (int) Math.floor(src);
        i1 = Math.min(i0 + 1, inLen - 1);
        w1 = (float) (src - i0);
      }
      for (int a = 0; a < outer; a++) {
        int base0 = (a * inLen + i0) * inner;
        int base1 = (a * inLen + i1) * inner;
        int dst = (a * outLen + o) * inner;
        for (int k = 0; k < inner; k++) {
          y[dst + k] = x[base0 + k] * (1 - w1) + x[base1 + k] * w1;
        }
      }
    }
    return y;
  }

  private double original(int o, float scale, int inLen, int outLen) {
    return switch (coord) {
      case "asymmetric" -> o / (double) scale;
      // the resized length is in * scale before flooring, as ONNX defines it
      case "align_corners" ->
          inLen * (double) scale <= 1 ? 0 : o * (inLen - 1) / (inLen * (double) scale - 1);
      case "pytorch_half_pixel" -> outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
      default -> (o + 0.5) / scale - 0.5;
    };
  }

  private int round(double v, int o) {
    return switch (nearest) {
      case "floor" -> (int) Math.floor(v);
      case "ceil" -> (int) Math.ceil(v);
      case "round_prefer_ceil" -> (int) Math.floor(v + 0.5);
      default -> v == Math.floor(v) + 0.5 ? (int) Math.floor(v) : (int) Math.round(v);
    };
  }

  private static int clamp(int v, int n) {
    return Math.max(0, Math.min(n - 1, v));
  }
}
