package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.VectorMath;
import java.util.Arrays;

/**
 * Conv for any number of spatial dimensions, groups, pads, strides, dilations and auto_pad: per
 * image and group, Y[M/g][P] = W[M/g][C/g * prod(k)] x col[C/g * prod(k)][P] on the packed SGEMM,
 * where col is the im2col of the input (the input itself for a pointwise kernel). As FusedConv
 * (attribute activation=Relu) it applies Relu in the same pass as the bias.
 */
public final class ConvKernel implements Kernel {
  private final OpContext op;
  private final PackedA[] packedWeights;

  @Override
  public long packedBytes() {
    long s = 0;
    for (PackedA p : packedWeights == null ? new PackedA[0] : packedWeights) {
      s += p == null ? 0 : 4L * p.data().length;
    }
    return s;
  }

  private final boolean relu;

  public ConvKernel(OpContext op) {
    this.op = op;
    String activation = op.attrs().getString("activation", "");
    if (!activation.isEmpty() && !activation.equals("Relu")) {
      throw op.error("fused activation '" + activation + "' is not supported");
    }
    this.relu = activation.equals("Relu");
    Tensor w = op.constant(1);
    this.packedWeights =
        w != null && w.dtype() == DType.FLOAT && w.rank() >= 3
            ? packWeights(w, (int) op.attrs().getInt("group", 1))
            : null;
  }

  /** W as the packed left operand, one matrix [M/g][C/g * prod(kernel)] per group. */
  private static PackedA[] packWeights(Tensor w, int groups) {
    int m = w.dim(0);
    if (groups <= 0 || m % groups != 0) {
      throw new OctetException(
          "W has " + m + " output channels, not divisible into " + groups + " groups");
    }
    int mg = m / groups;
    int kDim = w.size() / m;
    PackedA[] out = new PackedA[groups];
    for (int g = 0; g < groups; g++) {
      out[g] = PackedA.pack(w.floats(), g * mg * kDim, kDim, mg, kDim);
    }
    return out;
  }

  /**
   * The 2-D GEMM path: input read in place through {@link ImplicitConv}, no im2col copy; bias and
   * Relu are applied as the tiles are stored.
   */
  private void implicit(
      float[] xv,
      int batch,
      int c,
      int h,
      int w,
      ConvGeometry g,
      int groups,
      int cg,
      int mg,
      PackedA[] weights,
      float[] bias,
      float[] out,
      int outOff,
      int outBatchStride,
      ExecContext ctx) {
    ImplicitConv.Layout l = ImplicitConv.layout(g, cg, h, w);
    float[] grid =
        ImplicitConv.compacts(l) ? ctx.floats(ImplicitConv.gridSize(l, mg, ctx.threads())) : null;
    ImplicitConv.run(
        xv,
        batch,
        c,
        h,
        w,
        l,
        groups,
        mg,
        out,
        outOff,
        outBatchStride,
        grid,
        (gi, src, bOff, n, dst, dOff, ld, inner) ->
            Sgemm.multiply(
                weights[gi], src, bOff, l.rows(), n, bias, gi * mg, relu, dst, dOff, ld, inner),
        ctx);
    if (grid != null) {
      ctx.recycle(grid);
    }
  }

  /** The output shape for input x and weight w. */
  public int[] outputShape(Tensor x, Tensor w) {
    checkTypes(x, w);
    int groups = (int) op.attrs().getInt("group", 1);
    return ConvGeometry.forConv(op.attrs(), x.shape(), w.shape(), groups)
        .outputShape(x.dim(0), w.dim(0));
  }

  private static void checkTypes(Tensor x, Tensor w) {
    if (x.dtype() != DType.FLOAT || w.dtype() != DType.FLOAT) {
      throw new OctetException("Conv supports float32 only, got " + x.dtype().onnxName());
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    int[] shape = outputShape(in[0], in[1]);
    float[] out = ctx.floats(Math.multiplyExact(shape[0] * shape[1], size(shape)));
    runInto(ctx, in, out, 0, shape[1]);
    return new Tensor[] {Tensor.wrap(out, shape)};
  }

  private static int size(int[] shape) {
    int s = 1;
    for (int i = 2; i < shape.length; i++) {
      s = Math.multiplyExact(s, shape[i]);
    }
    return s;
  }

  /**
   * Computes the convolution into channels [first, first + M) of {@code out}, a [batch][channels]
   * [spatial...] tensor (a concatenation of several convolutions' outputs along the channels).
   */
  public void runInto(ExecContext ctx, Tensor[] in, float[] out, int first, int channels) {
    Tensor x = in[0];
    Tensor w = in[1];
    Tensor b = in.length > 2 ? in[2] : null;
    checkTypes(x, w);
    int groups = (int) op.attrs().getInt("group", 1);
    int batch = x.dim(0);
    int c = x.dim(1);
    int m = w.dim(0);
    int cg = w.dim(1);
    ConvGeometry g = ConvGeometry.forConv(op.attrs(), x.shape(), w.shape(), groups);
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int outSize = g.outSize();
    int mg = m / groups;
    float[] xv = x.floats();
    PackedA[] weights = packedWeights != null ? packedWeights : packWeights(w, groups);
    int stride = channels * outSize;
    int base = first * outSize;
    boolean direct = DirectConv.applies(g, groups, cg, m, g.kernel());
    if (direct) {
      for (int n = 0; n < batch; n++) {
        DirectConv.run(
            xv,
            n * c * inSize,
            c,
            spatial[0],
            spatial[1],
            w.floats(),
            m,
            g,
            out,
            base + n * stride,
            ctx);
      }
    } else if (spatial.length == 2) {
      implicit(
          xv,
          batch,
          c,
          spatial[0],
          spatial[1],
          g,
          groups,
          cg,
          mg,
          weights,
          b == null ? null : b.floats(),
          out,
          base,
          stride,
          ctx);
      return;
    } else {
      for (int n = 0; n < batch; n++) {
        for (int gi = 0; gi < groups; gi++) {
          int xOff = (n * c + gi * cg) * inSize;
          PackedB patches = Im2Col.pack(xv, xOff, cg, spatial, g, ctx);
          Sgemm.multiply(
              weights[gi], patches, out, base + n * stride + gi * mg * outSize, outSize, ctx);
          ctx.recycle(patches.data());
        }
      }
    }
    if (b != null || relu) {
      float[] bias = b == null ? null : b.floats();
      for (int n = 0; n < batch; n++) {
        for (int o = 0; o < m; o++) {
          VectorMath.addRelu(
              out, base + n * stride + o * outSize, outSize, bias == null ? 0f : bias[o], relu);
        }
      }
    }
  }
}
