package dev.octet.runtime.ops.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import dev.octet.runtime.ops.nn.ConvGeometry;
import dev.octet.runtime.ops.nn.Im2Col;
import dev.octet.runtime.ops.nn.ImplicitConv;
import dev.octet.runtime.simd.Igemm;
import dev.octet.runtime.simd.PackedA8;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.QuantVec;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.Simd;
import java.util.Arrays;

/**
 * ConvInteger and QLinearConv on the integer GEMM, laid out as the float Conv is: per group, the
 * weights are the left operand packed once as bytes ({@link PackedA8}), the input minus its zero
 * point becomes the packed patches (padding reads 0 after the shift, i.e. the zero point), and the
 * exact int32 result [channel][position] gets the weight zero point's correction, the bias and one
 * vectorised requantization per channel, as ONNX Runtime computes it. SIMD off takes {@link
 * ConvIntegerReference}, which the tests compare against.
 */
public final class ConvIntegerKernel implements Kernel {
  private final OpContext op;
  private final boolean qlinear;
  private final int groups;
  private final ConvIntegerReference reference;
  private final Weights packed;

  /** The implicit-GEMM layout of the last run. */
  private final ImplicitConv.LastLayout layouts = new ImplicitConv.LastLayout();

  /** W per group as packed bytes, with zero points relative to the stored values. */
  private record Weights(PackedA8[] groups, int[] zero) {
    long bytes() {
      return Arrays.stream(groups).mapToLong(PackedA8::bytes).sum() + 4L * zero.length;
    }
  }

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

  private Weights pack(Tensor w, Tensor zp) {
    int m = w.dim(0);
    if (groups <= 0 || m % groups != 0) {
      throw op.error("W has " + m + " output channels, not divisible into " + groups + " groups");
    }
    int mg = m / groups;
    boolean unsigned = IntegerMatMul.eightBit(w, "W");
    int k = w.size() / m;
    int[] z = IntegerMatMul.zeroPoints(zp);
    if (z.length != 1 && z.length != m) {
      throw op.error("the weight zero point has " + z.length + " values for " + m + " channels");
    }
    PackedA8[] out = new PackedA8[groups];
    for (int g = 0; g < groups; g++) {
      out[g] = PackedA8.pack(w.bytes(), g * mg * k, k, mg, k, unsigned);
    }
    int[] zero = new int[m];
    for (int oc = 0; oc < m; oc++) {
      zero[oc] = z[z.length == 1 ? 0 : oc] - out[0].offset();
    }
    return new Weights(out, zero);
  }

  @Override
  public long packedBytes() {
    return packed == null ? 0 : packed.bytes();
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor w = in[qlinear ? 3 : 1];
    if (!Simd.ENABLED || x.rank() < 3) {
      return reference.run(ctx, in);
    }
    Weights b =
        packed != null
            ? packed
            : pack(w, in.length > (qlinear ? 5 : 3) ? in[qlinear ? 5 : 3] : null);
    ConvGeometry g = ConvGeometry.forConv(op.attrs(), x.shape(), w.shape(), groups);
    int batch = x.dim(0);
    int c = x.dim(1);
    int m = w.dim(0);
    int cg = c / groups;
    int mg = m / groups;
    int outSize = g.outSize();
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int zx = IntegerMatMul.zeroPoints(in.length > 2 ? in[2] : null)[0];
    float[] shifted = ctx.floats(x.size());
    boolean unsigned = IntegerMatMul.eightBit(x, "X");
    ctx.parallelFor(
        x.size(),
        1 << 14,
        (i0, i1) -> QuantVec.widenShifted(x.bytes(), i0, i1 - i0, unsigned, zx, shifted, i0));
    int[] acc = ctx.ints(batch * m * outSize);
    if (spatial.length == 2) {
      implicit(shifted, batch, c, spatial[0], spatial[1], g, cg, mg, b, acc, ctx);
    } else {
      for (int n = 0; n < batch; n++) {
        for (int gi = 0; gi < groups; gi++) {
          int xOff = (n * c + gi * cg) * inSize;
          PackedB patches = Im2Col.pack(shifted, xOff, cg, spatial, g, ctx);
          int cOff = (n * m + gi * mg) * outSize;
          Igemm.multiply(b.groups()[gi], patches, acc, cOff, outSize, ctx);
          correctWeightZeroPoints(b.zero(), gi * mg, mg, patches, acc, cOff, outSize);
          ctx.recycle(patches.data());
        }
      }
    }
    ctx.recycle(shifted);
    int[] shape = g.outputShape(batch, m);
    if (!qlinear) {
      return new Tensor[] {Tensor.wrap(acc, shape)};
    }
    Tensor y = requantized(ctx, in, acc, shape, m, outSize);
    ctx.recycle(acc);
    return new Tensor[] {y};
  }

  /**
   * The 2-D path: the shifted input read in place through {@link ImplicitConv} (padding reads 0,
   * i.e. the input's zero point), no im2col copy.
   */
  private void implicit(
      float[] shifted,
      int batch,
      int c,
      int h,
      int w,
      ConvGeometry g,
      int cg,
      int mg,
      Weights b,
      int[] acc,
      ExecContext ctx) {
    ImplicitConv.Layout l = layouts.of(g, cg, h, w, false);
    int[] grid =
        ImplicitConv.compacts(l)
            ? ctx.ints(ImplicitConv.gridSize(l, null, mg, ctx.threads()))
            : null;
    ImplicitConv.run(
        shifted,
        batch,
        c,
        h,
        w,
        l,
        groups,
        mg,
        acc,
        0,
        groups * mg * g.outSize(),
        grid,
        null,
        (gi, src, bOff, n, dst, dOff, ld, inner) -> {
          Igemm.multiply(b.groups()[gi], src, bOff, l.rows(), n, dst, dOff, ld, inner);
          correctWeightZeroPoints(b.zero(), gi * mg, mg, src, bOff, l.rows(), n, dst, dOff, ld);
        },
        ctx);
    if (grid != null) {
      ctx.recycle(grid);
    }
  }

  /** As the packed form below, for B read in place (b[bOff + rows[k] + p]). */
  private static void correctWeightZeroPoints(
      int[] zero,
      int oc0,
      int mg,
      float[] b,
      int bOff,
      int[] rows,
      int positions,
      int[] acc,
      int cOff,
      int ld) {
    if (allZero(zero, oc0, mg)) {
      return;
    }
    int[] colSum = new int[positions];
    for (int r : rows) {
      for (int p = 0; p < positions; p++) {
        colSum[p] += (int) b[bOff + r + p];
      }
    }
    subtract(zero, oc0, mg, colSum, acc, cOff, ld);
  }

  /** acc[oc][p] -= zw[oc] * sum_k patches[k][p] for channels whose weight zero point is not 0. */
  private static void correctWeightZeroPoints(
      int[] zero, int oc0, int mg, PackedB patches, int[] acc, int cOff, int positions) {
    if (allZero(zero, oc0, mg)) {
      return;
    }
    int[] colSum = new int[positions];
    float[] pd = patches.data();
    int nr = Sgemm.NR;
    for (int p = 0; p < positions; p++) {
      int base = (p / nr) * patches.k() * nr + p % nr;
      int s = 0;
      for (int kk = 0; kk < patches.k(); kk++) {
        s += (int) pd[base + kk * nr];
      }
      colSum[p] = s;
    }
    subtract(zero, oc0, mg, colSum, acc, cOff, positions);
  }

  private static boolean allZero(int[] zero, int oc0, int mg) {
    for (int j = 0; j < mg; j++) {
      if (zero[oc0 + j] != 0) {
        return false;
      }
    }
    return true;
  }

  /** acc[oc][p] -= zw[oc] * colSum[p], rows {@code ld} apart. */
  private static void subtract(
      int[] zero, int oc0, int mg, int[] colSum, int[] acc, int cOff, int ld) {
    for (int j = 0; j < mg; j++) {
      int z = zero[oc0 + j];
      int row = cOff + j * ld;
      for (int p = 0; z != 0 && p < colSum.length; p++) {
        acc[row + p] -= z * colSum[p];
      }
    }
  }

  /** QLinearConv's output: bias, per-channel multiplier sx * sw / sy, zero point, saturation. */
  private Tensor requantized(
      ExecContext ctx, Tensor[] in, int[] acc, int[] shape, int m, int positions) {
    float sx = in[1].toFloatArray()[0];
    float[] sw = in[4].toFloatArray();
    float sy = in[6].toFloatArray()[0];
    DType type = in[7].dtype();
    int zy = (int) Numeric.toLongs(in[7])[0];
    if (sw.length != 1 && sw.length != m) {
      throw op.error("w_scale has " + sw.length + " values for " + m + " output channels");
    }
    int[] bias = in.length > 8 && in[8] != null ? in[8].ints() : new int[m];
    byte[] out = new byte[acc.length];
    int rows = acc.length / Math.max(1, positions);
    ctx.parallelFor(
        rows,
        Math.max(1, (1 << 14) / Math.max(1, positions)),
        (r0, r1) -> {
          for (int row = r0; row < r1; row++) {
            int oc = row % m;
            float mult = sx * sw[sw.length == 1 ? 0 : oc] / sy;
            QuantVec.requantize(
                acc,
                row * positions,
                positions,
                bias[oc],
                mult,
                zy,
                (int) type.minValue(),
                (int) type.maxValue(),
                out);
          }
        });
    return Tensor.wrap(type, shape, out);
  }
}
