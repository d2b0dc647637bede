package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.nn.ConvGeometry;
import java.util.Arrays;

/**
 * ConvInteger (int32 result) and QLinearConv (requantized, with an optional int32 bias), any number
 * of spatial dimensions, groups, pads, strides and dilations: the exact reference with long
 * accumulation. Weight zero points and, for QLinearConv, weight scales may be per output channel.
 * {@link ConvIntegerKernel} is tested against it and takes this path for depthwise-like groups and
 * when SIMD is off.
 */
public final class ConvIntegerReference implements Kernel {
  private final OpContext op;
  private final boolean qlinear;

  public ConvIntegerReference(OpContext op, boolean qlinear) {
    this.op = op;
    this.qlinear = qlinear;
  }

  private static long[] optional(Tensor[] in, int i) {
    return i < in.length && in[i] != null ? Numeric.toLongs(in[i]) : new long[] {0};
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor w = in[qlinear ? 3 : 1];
    long[] zx = optional(in, 2);
    long[] zw = optional(in, qlinear ? 5 : 3);
    int groups = (int) op.attrs().getInt("group", 1);
    int batch = x.dim(0);
    int c = x.dim(1);
    int m = w.dim(0);
    int cg = w.dim(1);
    ConvGeometry g = ConvGeometry.forConv(op.attrs(), x.shape(), w.shape(), groups);
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int[] kernel = g.kernel();
    int nsp = spatial.length;
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int outSize = g.outSize();
    int kSize = g.kernelSize();
    int mg = m / groups;
    long[] xv = Numeric.toLongs(x);
    long[] wv = Numeric.toLongs(w);
    long[] acc = new long[batch * m * outSize];
    int[] o = new int[nsp];
    int[] kk = new int[nsp];
    for (int n = 0; n < batch; n++) {
      for (int oc = 0; oc < m; oc++) {
        int gi = oc / mg;
        long zwc = zw[zw.length == 1 ? 0 : oc];
        for (int op0 = 0; op0 < outSize; op0++) {
          for (int d = nsp - 1, t = op0; d >= 0; d--) {
            o[d] = t % g.out()[d];
            t /= g.out()[d];
          }
          long s = 0;
          for (int ci = 0; ci < cg; ci++) {
            int xBase = (n * c + gi * cg + ci) * inSize;
            int wBase = (oc * cg + ci) * kSize;
            for (int ki = 0; ki < kSize; ki++) {
              for (int d = nsp - 1, t = ki; d >= 0; d--) {
                kk[d] = t % kernel[d];
                t /= kernel[d];
              }
              int off = 0;
              boolean inside = true;
              for (int d = 0; d < nsp; d++) {
                int pos = o[d] * g.strides()[d] - g.padBegin()[d] + kk[d] * g.dilations()[d];
                if (pos < 0 || pos >= spatial[d]) {
                  inside = false;
                  break;
                }
                off = off * spatial[d] + pos;
              }
              // padding holds the input's zero point: it contributes (zx - zx) = 0
              if (inside) {
                s += (xv[xBase + off] - zx[0]) * (wv[wBase + ki] - zwc);
              }
            }
          }
          acc[(n * m + oc) * outSize + op0] = s;
        }
      }
    }
    int[] shape = g.outputShape(batch, m);
    if (!qlinear) {
      int[] out = new int[acc.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (int) acc[i];
      }
      return new Tensor[] {Tensor.wrap(out, shape)};
    }
    float sx = in[1].toFloatArray()[0];
    float[] sw = in[4].toFloatArray();
    float sy = in[6].toFloatArray()[0];
    DType type = in[7].dtype();
    long zy = Numeric.toLongs(in[7])[0];
    long[] bias = in.length > 8 && in[8] != null ? Numeric.toLongs(in[8]) : null;
    long[] q = new long[acc.length];
    for (int i = 0; i < acc.length; i++) {
      int oc = (i / outSize) % m;
      long v = acc[i] + (bias == null ? 0 : bias[oc]);
      float mult = sx * sw[sw.length == 1 ? 0 : oc] / sy;
      q[i] = IntegerMatMul.requantize((int) v, mult, zy, type.minValue(), type.maxValue());
    }
    return new Tensor[] {Numeric.fromLongs(type, shape, q)};
  }
}
