package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.simd.QuantVec;
import java.util.Arrays;

/**
 * MaxPool (with optional Indices output) and AveragePool over N spatial dimensions with pads,
 * strides, dilations, ceil_mode, auto_pad and count_include_pad. Each output element is computed
 * independently, in parallel over (image, channel) planes.
 */
public final class PoolKernel implements Kernel {
  private final OpContext op;
  private final boolean max;

  public PoolKernel(OpContext op, boolean max) {
    this.op = op;
    this.max = max;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    if ((x.dtype() == DType.UINT8 || x.dtype() == DType.INT8)
        && max
        && x.rank() == 4
        && op.node().outputs().size() == 1) {
      return new Tensor[] {maxPool2d8(ctx, x)};
    }
    if (x.dtype() == DType.UINT8 || x.dtype() == DType.INT8) {
      // 8-bit values (integer pooling of a QDQ model) pool exactly in float and convert back
      float[] xf = ctx.floats(x.size());
      QuantVec.widenShifted(x.bytes(), 0, xf.length, x.dtype() == DType.UINT8, 0, xf);
      Tensor f = run(ctx, new Tensor[] {Tensor.wrap(xf, x.shape())})[0];
      ctx.recycle(xf);
      float[] v = f.floats();
      byte[] out = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = (byte) (int) v[i];
      }
      ctx.recycle(v);
      return new Tensor[] {Tensor.wrap(x.dtype(), f.shape(), out)};
    }
    if (x.dtype() != DType.FLOAT) {
      // integer and other float types pool exactly through float32 (8-bit integers are exact)
      Tensor[] f = run(ctx, new Tensor[] {Tensor.wrap(x.toFloatArray(), x.shape())});
      f[0] = Numeric.fromDoubles(x.dtype(), f[0].shape(), Numeric.toDoubles(f[0]));
      return f;
    }
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, Math.max(2, x.rank()));
    ConvGeometry g = geometry(spatial);
    int nsp = spatial.length;
    int[] kernel = g.kernel();
    boolean includePad = op.attrs().getInt("count_include_pad", 0) != 0;
    boolean columnMajor = op.attrs().getInt("storage_order", 0) != 0;
    int planes = x.dim(0) * x.dim(1);
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int outSize = g.outSize();
    float[] xv = x.floats();
    float[] y = ctx.floats(planes * outSize);
    long[] indices = max && op.node().outputs().size() > 1 ? new long[planes * outSize] : null;
    if (nsp == 2 && indices == null) {
      ctx.parallelFor(planes, 1, (p0, p1) -> pool2d(xv, y, p0, p1, spatial, g, includePad));
      return new Tensor[] {Tensor.wrap(y, g.outputShape(x.dim(0), x.dim(1)))};
    }
    ctx.parallelFor(
        planes,
        1,
        (p0, p1) -> {
          int[] o = new int[nsp];
          int[] k = new int[nsp];
          for (int p = p0; p < p1; p++) {
            Arrays.fill(o, 0);
            for (int oi = 0; oi < outSize; oi++) {
              float acc = max ? Float.NEGATIVE_INFINITY : 0f;
              int count = 0;
              int padCount = 0;
              long best = -1;
              Arrays.fill(k, 0);
              for (int ki = 0, kn = g.kernelSize(); ki < kn; ki++) {
                int off = 0;
                int colOff = 0;
                boolean inside = true;
                boolean inPadded = true;
                for (int dd = 0, mul = 1; dd < nsp; dd++) {
                  int pos = o[dd] * g.strides()[dd] - g.padBegin()[dd] + k[dd] * g.dilations()[dd];
                  if (pos < 0 || pos >= spatial[dd]) {
                    inside = false;
                  }
                  if (pos < -g.padBegin()[dd] || pos >= spatial[dd] + g.padEnd()[dd]) {
                    inPadded = false;
                  }
                  off = off * spatial[dd] + pos;
                  colOff += pos * mul;
                  mul *= spatial[dd];
                }
                if (inside) {
                  float v = xv[p * inSize + off];
                  if (max) {
                    if (v > acc || best < 0) {
                      acc = Math.max(acc, v);
                      best = (long) p * inSize + (columnMajor ? colOff : off);
                    }
                  } else {
                    acc += v;
                    count++;
                  }
                }
                if (inPadded) {
                  padCount++;
                }
                for (int dd = nsp - 1; dd >= 0 && ++k[dd] == kernel[dd]; dd--) {
                  k[dd] = 0;
                }
              }
              int idx = p * outSize + oi;
              y[idx] = max ? acc : acc / (includePad ? padCount : Math.max(1, count));
              if (indices != null) {
                indices[idx] = best;
              }
              for (int dd = nsp - 1; dd >= 0 && ++o[dd] == g.out()[dd]; dd--) {
                o[dd] = 0;
              }
            }
          }
        });
    int[] shape = g.outputShape(x.dim(0), x.dim(1));
    Tensor yt = Tensor.wrap(y, shape);
    return indices == null ? new Tensor[] {yt} : new Tensor[] {yt, Tensor.wrap(indices, shape)};
  }

  /**
   * 2-D max pooling of 8-bit values, one (image, channel) plane at a time: the plane is widened to
   * float in a scratch buffer that stays in cache, pooled exactly there, and narrowed back (the
   * whole-tensor widening it replaces wrote and re-read 4 bytes per input value through memory).
   */
  private Tensor maxPool2d8(ExecContext ctx, Tensor x) {
    int[] spatial = {x.dim(2), x.dim(3)};
    ConvGeometry g = geometry(spatial);
    int planes = x.dim(0) * x.dim(1);
    int inSize = spatial[0] * spatial[1];
    int outSize = g.outSize();
    byte[] xb = x.bytes();
    byte[] out = new byte[planes * outSize];
    boolean unsigned = x.dtype() == DType.UINT8;
    ctx.parallelFor(
        planes,
        1,
        (p0, p1) -> {
          float[] xf = new float[inSize];
          float[] yf = new float[outSize];
          for (int p = p0; p < p1; p++) {
            QuantVec.widenShifted(xb, p * inSize, inSize, unsigned, 0, xf);
            pool2d(xf, yf, 0, 1, spatial, g, false);
            for (int i = 0, o = p * outSize; i < outSize; i++) {
              out[o + i] = (byte) (int) yf[i];
            }
          }
        });
    return Tensor.wrap(x.dtype(), g.outputShape(x.dim(0), x.dim(1)), out);
  }

  private ConvGeometry geometry(int[] spatial) {
    return geometry(op.attrs(), spatial);
  }

  /** A pooling's geometry from its attributes, over an input of these spatial dimensions. */
  static ConvGeometry geometry(Attributes a, int[] spatial) {
    long[] ks = a.getInts("kernel_shape");
    if (ks == null || ks.length != spatial.length) {
      throw new OctetException(
          "kernel_shape must have one value per spatial dimension of " + Arrays.toString(spatial));
    }
    int[] kernel = Arrays.stream(ks).mapToInt(v -> (int) v).toArray();
    return ConvGeometry.of(a, spatial, kernel, a.getInt("ceil_mode", 0) != 0);
  }

  /** The common 2-D case without indices: planes [p0, p1) of a dense [planes][h][w] input. */
  private void pool2d(
      float[] x, float[] y, int p0, int p1, int[] in, ConvGeometry g, boolean includePad) {
    int size = in[0] * in[1];
    Pool2d.run(
        new Pool2d.Source(x, 0, size, in[1], 0, in[0], in[1]),
        g,
        max,
        includePad,
        p0,
        p1,
        0,
        g.out()[0],
        y,
        0,
        g.outSize());
  }
}
