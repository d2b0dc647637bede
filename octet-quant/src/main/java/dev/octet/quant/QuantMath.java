package dev.octet.quant;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.ops.quant.QuantizeLinear;

/**
 * The reference arithmetic of quantization, exactly as ONNX's QuantizeLinear and DequantizeLinear
 * define it: q = saturate(round_half_even(x / scale) + zero_point), x' = (q - zero_point) * scale.
 */
public final class QuantMath {
  private QuantMath() {}

  /**
   * Parameters for the real range [rmin, rmax], as ONNX Runtime and PyTorch compute them: widen the
   * range to include 0 (so that 0 is exact, for padding and Relu), make it symmetric when the
   * scheme is, scale = (rmax - rmin) / (qmax - qmin), zero_point = round(qmin - rmin / scale)
   * clamped to the range. An empty range (rmin == rmax == 0) gets scale 1.
   */
  public static QParams fromRange(QuantScheme s, float rmin, float rmax) {
    double[] sz = scaleAndZero(s, rmin, rmax);
    return new QParams(
        s.dtype(), new float[] {(float) sz[0]}, new int[] {(int) sz[1]}, -1, s.qmin(), s.qmax());
  }

  /** Per-channel parameters along the scheme's axis, one range per channel. */
  public static QParams fromRanges(QuantScheme s, float[] mins, float[] maxs) {
    if (!s.perChannel()) {
      throw new OctetException("per-channel ranges need a per-channel scheme, got " + s);
    }
    float[] scales = new float[mins.length];
    int[] zps = new int[mins.length];
    for (int c = 0; c < mins.length; c++) {
      double[] sz = scaleAndZero(s, mins[c], maxs[c]);
      scales[c] = (float) sz[0];
      zps[c] = (int) sz[1];
    }
    return new QParams(s.dtype(), scales, zps, s.axis(), s.qmin(), s.qmax());
  }

  private static double[] scaleAndZero(QuantScheme s, float rmin, float rmax) {
    if (Float.isNaN(rmin) || Float.isNaN(rmax) || rmin > rmax) {
      throw new OctetException("invalid calibration range [" + rmin + ", " + rmax + "]");
    }
    double lo = Math.min(rmin, 0.0);
    double hi = Math.max(rmax, 0.0);
    if (s.symmetric()) {
      double a = Math.max(Math.abs(lo), Math.abs(hi));
      lo = -a;
      hi = a;
    }
    int qmin = s.qmin();
    int qmax = s.qmax();
    // in double, as ONNX Runtime's compute_scale_zp does; the scale is stored as float
    double scale = (hi - lo) / (qmax - qmin);
    if (!(scale >= Float.MIN_NORMAL) || Double.isInfinite(scale)) {
      double zp0 =
          s.symmetric() ? Math.rint((qmin + qmax) / 2.0) : Math.max(qmin, Math.min(qmax, 0));
      return new double[] {1.0, zp0};
    }
    // symmetric: rmax == -rmin, so qmin - rmin / scale reduces to (qmin + qmax) / 2
    double zp = s.symmetric() ? Math.rint((qmin + qmax) / 2.0) : Math.rint(qmin - lo / scale);
    return new double[] {scale, Math.max(qmin, Math.min(qmax, zp))};
  }

  /** One value: saturate(round_half_even(x / scale) + zp). */
  public static int quantize(float x, float scale, int zp, int qmin, int qmax) {
    return (int) QuantizeLinear.quantize(x, scale, zp, qmin, qmax);
  }

  public static float dequantize(int q, float scale, int zp) {
    return (q - zp) * scale;
  }

  /** Quantizes a float tensor to the parameters' integer type. */
  public static Tensor quantize(Tensor x, QParams p) {
    float[] v = x.toFloatArray();
    long[] q = new long[v.length];
    forEachChannel(
        x.shape(),
        p,
        (i, c) -> q[i] = quantize(v[i], p.scale(c), p.zeroPoint(c), p.qmin(), p.qmax()));
    return Numeric.fromLongs(p.dtype(), x.shape(), q);
  }

  /** Dequantizes an integer tensor to float32. */
  public static Tensor dequantize(Tensor q, QParams p) {
    long[] v = Numeric.toLongs(q);
    float[] out = new float[v.length];
    forEachChannel(
        q.shape(), p, (i, c) -> out[i] = dequantize((int) v[i], p.scale(c), p.zeroPoint(c)));
    return Tensor.wrap(out, q.shape());
  }

  /** dequantize(quantize(x)): the float values the quantized model will see. */
  public static Tensor fakeQuantize(Tensor x, QParams p) {
    float[] v = x.toFloatArray();
    float[] out = new float[v.length];
    forEachChannel(
        x.shape(),
        p,
        (i, c) ->
            out[i] =
                dequantize(
                    quantize(v[i], p.scale(c), p.zeroPoint(c), p.qmin(), p.qmax()),
                    p.scale(c),
                    p.zeroPoint(c)));
    return Tensor.wrap(out, x.shape());
  }

  /** Element and channel index visitor. */
  @FunctionalInterface
  interface ElementChannel {
    void accept(int index, int channel);
  }

  static void forEachChannel(int[] shape, QParams p, ElementChannel body) {
    int n = Tensor.elementCount(shape);
    if (!p.perChannel()) {
      for (int i = 0; i < n; i++) {
        body.accept(i, 0);
      }
      return;
    }
    int axis = p.axis();
    if (axis >= shape.length || shape[axis] != p.channels()) {
      throw new OctetException(
          "per-channel parameters for "
              + p.channels()
              + " channels on axis "
              + axis
              + " do not fit shape "
              + java.util.Arrays.toString(shape));
    }
    int inner = Shapes.product(shape, axis + 1, shape.length);
    int channels = shape[axis];
    for (int i = 0; i < n; i++) {
      body.accept(i, (i / inner) % channels);
    }
  }
}
