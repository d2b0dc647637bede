package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.simd.QuantVec;

/**
 * QuantizeLinear and DequantizeLinear: y = saturate(round_half_even(x / scale) + zero_point) and x
 * = (y - zero_point) * scale, with scale and zero point per tensor, per slice of 'axis', or per
 * block of 'block_size' along it (opset 21). The zero point's type (uint8 when absent) is the
 * output type of QuantizeLinear. Parameters are checked when the node runs: scales must be finite
 * and positive, zero points inside their type's range.
 */
public final class QuantizeLinear implements Kernel {
  private final boolean quantize;
  private final long axisAttr;
  private final long blockSize;
  private final DType outputType;

  public QuantizeLinear(OpContext op, boolean quantize) {
    this.quantize = quantize;
    this.axisAttr = op.attrs().getInt("axis", 1);
    this.blockSize = op.attrs().getInt("block_size", 0);
    long odt = op.attrs().getInt("output_dtype", 0);
    this.outputType = odt == 0 ? null : DType.fromCode((int) odt);
    Tensor scale = op.constant(1);
    if (scale != null) {
      checkScales(scale, op);
    }
  }

  /** One value: saturate(round_half_even(x / scale) + zp) to [qmin, qmax]. */
  public static long quantize(float x, float scale, long zp, long qmin, long qmax) {
    double v = Math.rint(x / scale) + zp;
    if (v != v) {
      return zp;
    }
    return (long) Math.max(qmin, Math.min(qmax, v));
  }

  private static void checkScales(Tensor scale, OpContext op) {
    float[] s = scale.toFloatArray();
    for (int i = 0; i < s.length; i++) {
      if (!(s[i] > 0) || Float.isInfinite(s[i])) {
        throw op.error("scale " + i + " is " + s[i] + "; scales must be finite and greater than 0");
      }
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor scale = in[1];
    Tensor zp = in.length > 2 ? in[2] : null;
    int[] shape = x.shape();
    float[] s = scale.toFloatArray();
    long[] z = zp == null ? new long[s.length] : Numeric.toLongs(zp);
    if (zp != null && z.length != s.length) {
      throw new OctetException("zero point has " + z.length + " values but scale has " + s.length);
    }
    int[] channelOf = channels(shape, scale.shape(), s.length);
    if (quantize) {
      DType type = zp != null ? zp.dtype() : (outputType != null ? outputType : DType.UINT8);
      if (!type.isInteger()) {
        throw new OctetException(
            "quantizing to " + type.onnxName() + " is not supported (integer types are)");
      }
      long qmin = type.minValue();
      long qmax = type.maxValue();
      for (long v : z) {
        if (v < qmin || v > qmax) {
          throw new OctetException(
              "zero point "
                  + v
                  + " is outside "
                  + type.onnxName()
                  + "'s range "
                  + qmin
                  + ".."
                  + qmax);
        }
      }
      float[] xv = x.toFloatArray();
      if (channelOf == null && type.bits() == 8) {
        byte[] out = new byte[xv.length];
        QuantVec.quantize8(xv, xv.length, s[0], (int) z[0], (int) qmin, (int) qmax, out);
        return new Tensor[] {Tensor.wrap(type, shape, out)};
      }
      long[] q = new long[xv.length];
      for (int i = 0; i < xv.length; i++) {
        int c = channelOf == null ? 0 : channelOf[i];
        q[i] = quantize(xv[i], s[c], z[c], qmin, qmax);
      }
      return new Tensor[] {Numeric.fromLongs(type, shape, q)};
    }
    if (channelOf == null
        && (x.dtype() == DType.UINT8 || x.dtype() == DType.INT8)
        && scale.dtype() == DType.FLOAT) {
      float[] out = ctx.floats(x.size());
      QuantVec.dequantize8(x.bytes(), out.length, x.dtype() == DType.UINT8, (int) z[0], s[0], out);
      return new Tensor[] {Tensor.wrap(out, shape)};
    }
    long[] q = Numeric.toLongs(x);
    float[] out = ctx.floats(q.length);
    for (int i = 0; i < q.length; i++) {
      int c = channelOf == null ? 0 : channelOf[i];
      out[i] = (q[i] - z[c]) * s[c];
    }
    DType outType = scale.dtype() == DType.FLOAT ? DType.FLOAT : scale.dtype();
    Tensor f = Tensor.wrap(out, shape);
    return new Tensor[] {
      outType == DType.FLOAT ? f : Numeric.fromDoubles(outType, shape, Numeric.toDoubles(f))
    };
  }

  /** Index of the scale that applies to each element; null for per-tensor. */
  private int[] channels(int[] shape, int[] scaleShape, int scales) {
    if (scales == 1 && (scaleShape.length == 0 || blockSize == 0)) {
      return null;
    }
    int axis =
        Shapes.axis(axisAttr, shape.length, quantize ? "QuantizeLinear" : "DequantizeLinear");
    int inner = Shapes.product(shape, axis + 1, shape.length);
    int dim = shape[axis];
    int n = Tensor.elementCount(shape);
    int[] out = new int[n];
    if (blockSize > 0) {
      // blocked: scale has the input's shape with dim 'axis' divided into blocks
      int blocks = (int) ((dim + blockSize - 1) / blockSize);
      int outer = Shapes.product(shape, 0, axis);
      if (scales != outer * blocks * inner) {
        throw new OctetException(
            "blocked scale has " + scales + " values, expected " + outer * blocks * inner);
      }
      for (int i = 0; i < n; i++) {
        int o = i / (dim * inner);
        int a = (i / inner) % dim;
        int r = i % inner;
        out[i] = (o * blocks + (int) (a / blockSize)) * inner + r;
      }
      return out;
    }
    if (scales != dim) {
      throw new OctetException(
          "per-axis scale has " + scales + " values but axis " + axis + " has " + dim);
    }
    for (int i = 0; i < n; i++) {
      out[i] = (i / inner) % dim;
    }
    return out;
  }
}
