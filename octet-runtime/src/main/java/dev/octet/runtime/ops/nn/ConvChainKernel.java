package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import java.util.function.Supplier;

/**
 * com.octet.ConvChain: a convolution with a fused max pooling whose output only a pointwise (1 x 1)
 * convolution reads (SqueezeNet's stem and fire2's squeeze). Inputs are X, W0, B0, W1, B1 (a B
 * empty when there is none); attribute {@code p<i>.<name>} carries attribute {@code name} of
 * convolution i, {@code p<i>.node} its node name. See {@code ConvChainFusion}.
 *
 * <p>Where the first takes the stem path ({@link StemConv}), each pooled row is multiplied by the
 * second's weights while it is in cache as [position][channel], and only the second's channels are
 * turned to [channel][position] and written: the first's output (SqueezeNet: 64 channels of 55 x
 * 55, 774 KB) is neither turned, written, nor read back. Otherwise the two run one after the other.
 */
public final class ConvChainKernel implements Kernel {
  private final String[] names = new String[2];
  private final ConvKernel[] parts = new ConvKernel[2];

  /**
   * The second convolution as {@link StemConv} applies it to pooled rows, or null where it can't.
   */
  private final StemConv.Pointwise then;

  public ConvChainKernel(OpContext op) {
    if (op.inputCount() != 5) {
      throw op.error("needs 5 inputs (X, W0, B0, W1, B1), got " + op.inputCount());
    }
    Tensor[][] constants = {
      {op.constant(0), op.constant(1), op.constant(2)}, {null, op.constant(3), op.constant(4)}
    };
    for (int i = 0; i < 2; i++) {
      names[i] = ConvConcatKernel.partName(op, i);
      int from = i == 0 ? 0 : 2;
      parts[i] =
          ConvConcatKernel.part(op, i, op.node().inputs().subList(from, from + 3), constants[i]);
    }
    this.then = pointwise(op);
  }

  /**
   * The second convolution as a {@link StemConv.Pointwise}: constant float W [n][k][1][1] with n
   * whole vectors, a constant bias or none, one group, strides and dilations of 1, no pads, no
   * pooling; else null.
   */
  private static StemConv.Pointwise pointwise(OpContext op) {
    Tensor w = op.constant(3);
    Tensor b = op.hasInput(4) ? op.constant(4) : null;
    Attributes a = op.attrs().withPrefix("p1.");
    boolean suits =
        w != null
            && w.dtype() == DType.FLOAT
            && w.rank() == 4
            && w.dim(2) == 1
            && w.dim(3) == 1
            && (!op.hasInput(4) || (b != null && b.dtype() == DType.FLOAT && b.size() == w.dim(0)))
            && a.getInt("group", 1) == 1
            && all(a.getInts("strides"), 1)
            && all(a.getInts("dilations"), 1)
            && all(a.getInts("pads"), 0)
            && a.getString("pool", "").isEmpty()
            && StemConv.Pointwise.suits(w.dim(0));
    return suits ? StemConv.Pointwise.of(w, b, a.getString("activation", "").equals("Relu")) : null;
  }

  private static boolean all(long[] values, long v) {
    if (values != null) {
      for (long x : values) {
        if (x != v) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public long packedBytes() {
    return parts[0].packedBytes()
        + parts[1].packedBytes()
        + (then == null ? 0 : 4L * then.w().length);
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor[] first = {in[0], in[1], in[2]};
    if (then != null
        && in[1].dim(0) == then.k()
        && part(0, () -> parts[0].stemPath(in[0], in[1]))) {
      int[] shape = parts[0].outputShape(in[0], in[1]);
      shape[1] = then.n();
      float[] out = ctx.floats(Math.multiplyExact(shape[0] * shape[1], shape[2] * shape[3]));
      parts[0].runStem(ctx, first, then, out);
      return new Tensor[] {Tensor.wrap(out, shape)};
    }
    Tensor mid = part(0, () -> parts[0].run(ctx, first)[0]);
    Tensor[] out = part(1, () -> parts[1].run(ctx, new Tensor[] {mid, in[3], in[4]}));
    ctx.recycle(mid.floats());
    return out;
  }

  /** Runs a step of part i, naming the part's node in an error. */
  private <T> T part(int i, Supplier<T> step) {
    try {
      return step.get();
    } catch (OctetException e) {
      throw new OctetException("fused convolution '" + names[i] + "': " + e.getMessage(), e);
    }
  }
}
