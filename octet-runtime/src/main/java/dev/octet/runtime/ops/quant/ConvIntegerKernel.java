package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.nn.ConvGeometry;
import dev.octet.runtime.simd.QuantVec;
import dev.octet.runtime.simd.Simd;
import java.util.Arrays;

/**
 * ConvInteger and QLinearConv on the integer GEMM: per group, the input patches minus the input's
 * zero point become A [output positions][channels x kernel] (padding reads the zero point, i.e. 0
 * after the shift), the weights are B = W^T packed once as bytes, and the int32 result is
 * transposed back to [channels][positions] while the bias is added and the value requantized as
 * ONNX Runtime does. Groups of fewer than {@link #MIN_GROUP_OUT} output channels (depthwise) and
 * SIMD off take {@link ConvIntegerReference}.
 */
public final class ConvIntegerKernel implements Kernel {
  private static final int MIN_GROUP_OUT = 4;

  private final OpContext op;
  private final boolean qlinear;
  private final int groups;
  private final ConvIntegerReference reference;
  private final IntegerMatMul.Weights[] packed;

  public ConvIntegerKernel(OpContext op, boolean qlinear) {
    this.op = op;
    this.qlinear = qlinear;
    this.groups = (int) op.attrs().getInt("group", 1);
    this.reference = new ConvIntegerReference(op, qlinear);
    if (qlinear) {
      QuantChecks.scalesAndZeroPoints(op, 1, 2, false);
      QuantChecks.scalesAndZeroPoints(op, 4, 5, true);
      QuantChecks.scalesAndZeroPoints(op, 6, 7, false);
      QuantChecks.sameType(op, 3, 5);
    }
    int wi = qlinear ? 3 : 1;
    int wzi = qlinear ? 5 : 3;
    Tensor w = op.constant(wi);
    boolean zpKnown = !op.hasInput(wzi) || op.constant(wzi) != null;
    this.packed = w != null && zpKnown ? pack(w, op.hasInput(wzi) ? op.constant(wzi) : null) : null;
  }

  /** W [M, C/g, k...] as one B = W_g^T [C/g * kernel][M/g] per group; null for depthwise. */
  private IntegerMatMul.Weights[] pack(Tensor w, Tensor zp) {
    int m = w.dim(0);
    int mg = m / Math.max(1, groups);
    if (mg < MIN_GROUP_OUT || m % Math.max(1, groups) != 0) {
      return null;
    }
    boolean unsigned = IntegerMatMul.eightBit(w, "W");
    int k = w.size() / m;
    int[] z = IntegerMatMul.zeroPoints(zp);
    if (z.length != 1 && z.length != m) {
      throw op.error("the weight zero point has " + z.length + " values for " + m + " channels");
    }
    IntegerMatMul.Weights[] out = new IntegerMatMul.Weights[groups];
    for (int g = 0; g < groups; g++) {
      int[] zg = z.length == 1 ? z : Arrays.copyOfRange(z, g * mg, (g + 1) * mg);
      out[g] = IntegerMatMul.Weights.of(w.bytes(), g * mg * k, k, k, mg, true, unsigned, zg);
    }
    return out;
  }

  @Override
  public long packedBytes() {
    long s = 0;
    for (IntegerMatMul.Weights w : packed == null ? new IntegerMatMul.Weights[0] : packed) {
      s += w.bytes();
    }
    return s;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor w = in[qlinear ? 3 : 1];
    IntegerMatMul.Weights[] b = packed;
    if (b == null && Simd.ENABLED && op.constant(qlinear ? 3 : 1) == null) {
      b = pack(w, in.length > (qlinear ? 5 : 3) ? in[qlinear ? 5 : 3] : null);
    }
    if (b == null || !Simd.ENABLED || x.rank() < 3) {
      return reference.run(ctx, in);
    }
    ConvGeometry g = ConvGeometry.forConv(op.attrs(), x.shape(), w.shape(), groups);
    int batch = x.dim(0);
    int c = x.dim(1);
    int m = w.dim(0);
    int cg = c / groups;
    int mg = m / groups;
    int outSize = g.outSize();
    int kSize = g.kernelSize();
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int[] zx = IntegerMatMul.zeroPoints(in.length > 2 ? in[2] : null);
    boolean unsigned = IntegerMatMul.eightBit(x, "X");
    Output out = qlinear ? new Output(in, m, batch * m * outSize) : null;
    int[] acc = qlinear ? null : new int[batch * m * outSize];
    float[] patches = new float[outSize * cg * kSize];
    for (int n = 0; n < batch; n++) {
      for (int gi = 0; gi < groups; gi++) {
        int xBase = (n * c + gi * cg) * inSize;
        if (g.isPointwise()) {
          pointwise(x.bytes(), unsigned, zx[0], xBase, cg, outSize, patches);
        } else {
          patches(x.bytes(), unsigned, zx[0], xBase, cg, spatial, g, patches);
        }
        int[] part = IntegerMatMul.multiply(patches, outSize, b[gi], ctx);
        // back to [channel][position]: QLinearConv requantizes the [position][channel] result
        // (vectorised along channels), then transposes the bytes
        int base = (n * m + gi * mg) * outSize;
        if (out != null) {
          out.group(part, outSize, mg, gi * mg, base);
        } else {
          for (int p = 0; p < outSize; p++) {
            for (int j = 0; j < mg; j++) {
              acc[base + j * outSize + p] = part[p * mg + j];
            }
          }
        }
      }
    }
    int[] shape = g.outputShape(batch, m);
    return new Tensor[] {
      out != null ? Tensor.wrap(out.type, shape, out.values) : Tensor.wrap(acc, shape)
    };
  }

  /** The 1x1, stride 1, unpadded case: A[p][ci] = x[ci][p] - zx, a transpose. */
  private static void pointwise(
      byte[] x, boolean unsigned, int zx, int xBase, int channels, int positions, float[] a) {
    for (int ci = 0; ci < channels; ci++) {
      int src = xBase + ci * positions;
      for (int p = 0; p < positions; p++) {
        a[p * channels + ci] = (unsigned ? x[src + p] & 0xff : x[src + p]) - zx;
      }
    }
  }

  /** QLinearConv's output: bias, per-channel multiplier sx * sw / sy, zero point, saturation. */
  private final class Output {
    final DType type;
    final byte[] values;
    final float[] mult;
    final int[] bias;
    final int zy;

    Output(Tensor[] in, int m, int size) {
      float sx = in[1].toFloatArray()[0];
      float[] sw = in[4].toFloatArray();
      float sy = in[6].toFloatArray()[0];
      this.type = in[7].dtype();
      this.zy = (int) Numeric.toLongs(in[7])[0];
      this.values = new byte[size];
      if (sw.length != 1 && sw.length != m) {
        throw op.error("w_scale has " + sw.length + " values for " + m + " output channels");
      }
      this.mult = new float[m];
      for (int oc = 0; oc < m; oc++) {
        mult[oc] = sx * sw[sw.length == 1 ? 0 : oc] / sy;
      }
      this.bias = in.length > 8 && in[8] != null ? in[8].ints() : new int[m];
    }

    /** Requantizes a group's [position][mg] result into values[base + j * positions + p]. */
    void group(int[] part, int positions, int mg, int oc0, int base) {
      int[] b = java.util.Arrays.copyOfRange(bias, oc0, oc0 + mg);
      float[] mc = java.util.Arrays.copyOfRange(mult, oc0, oc0 + mg);
      byte[] rows = new byte[positions * mg];
      QuantVec.requantize(
          part, positions, mg, b, mc, zy, (int) type.minValue(), (int) type.maxValue(), rows);
      for (int p0 = 0; p0 < positions; p0 += 64) {
        int p1 = Math.min(positions, p0 + 64);
        for (int j = 0; j < mg; j++) {
          int dst = base + j * positions;
          for (int p = p0; p < p1; p++) {
            values[dst + p] = rows[p * mg + j];
          }
        }
      }
    }
  }

  /** A[p][ci * kSize + kk] = x[ci][window of p at kk] - zx, 0 outside the input. */
  private static void patches(
      byte[] x,
      boolean unsigned,
      int zx,
      int xBase,
      int channels,
      int[] spatial,
      ConvGeometry g,
      float[] a) {
    int nsp = spatial.length;
    int kSize = g.kernelSize();
    int outSize = g.outSize();
    int row = channels * kSize;
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int[] o = new int[nsp];
    int[] kk = new int[nsp];
    int[] offsets = new int[kSize];
    for (int p = 0; p < outSize; p++) {
      for (int d = nsp - 1, t = p; d >= 0; d--) {
        o[d] = t % g.out()[d];
        t /= g.out()[d];
      }
      // the input offset of each kernel tap for this position, or -1 in the padding
      for (int ki = 0; ki < kSize; ki++) {
        for (int d = nsp - 1, t = ki; d >= 0; d--) {
          kk[d] = t % g.kernel()[d];
          t /= g.kernel()[d];
        }
        int off = 0;
        for (int d = 0; d < nsp && off >= 0; d++) {
          int pos = o[d] * g.strides()[d] - g.padBegin()[d] + kk[d] * g.dilations()[d];
          off = pos < 0 || pos >= spatial[d] ? -1 : off * spatial[d] + pos;
        }
        offsets[ki] = off;
      }
      int base = p * row;
      for (int ci = 0; ci < channels; ci++) {
        int src = xBase + ci * inSize;
        int dst = base + ci * kSize;
        for (int ki = 0; ki < kSize; ki++) {
          int off = offsets[ki];
          a[dst + ki] = off < 0 ? 0 : (unsigned ? x[src + off] & 0xff : x[src + off]) - zx;
        }
      }
    }
  }
}
