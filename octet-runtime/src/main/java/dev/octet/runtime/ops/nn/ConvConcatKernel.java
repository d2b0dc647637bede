package dev.octet.runtime.ops.nn;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Node;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.Prefetch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * com.octet.ConvConcat: 2-D convolutions whose outputs a Concat joins along the channels (a
 * SqueezeNet fire module's two expand layers, an Inception block's branches), each writing its
 * channels of the joined tensor directly, so the Concat's copy of every output disappears.
 *
 * <p>Inputs are (X, W, B) per convolution, B empty when there is none; attribute {@code parts} is
 * the count and {@code p<i>.<name>} carries attribute {@code name} of convolution i ({@code
 * p<i>.node} its node name). See {@code Fusions.fuseConvConcat}. With a max pooling fused into
 * every part ({@code ConvPoolFusion}) the output is the pooled one.
 */
public final class ConvConcatKernel implements Kernel {
  private final String[] names;
  private final ConvKernel[] parts;

  public ConvConcatKernel(OpContext op) {
    int n = (int) op.attrs().getInt("parts");
    if (n < 1 || op.inputCount() != 3 * n) {
      throw op.error("needs 3 inputs for each of its " + n + " parts");
    }
    names = new String[n];
    parts = new ConvKernel[n];
    for (int i = 0; i < n; i++) {
      names[i] = partName(op, i);
      Tensor[] constants = {op.constant(3 * i), op.constant(3 * i + 1), op.constant(3 * i + 2)};
      parts[i] = part(op, i, op.node().inputs().subList(3 * i, 3 * i + 3), constants);
    }
  }

  /** The node name of a fused op's convolution i (attribute p&lt;i&gt;.node). */
  static String partName(OpContext op, int i) {
    return op.attrs().getString("p" + i + ".node", op.node().name() + "/" + i);
  }

  /**
   * A fused op's convolution i as a FusedConv kernel: attributes p&lt;i&gt;.* without the prefix,
   * inputs (X, W, B) and which of them are constants.
   */
  static ConvKernel part(OpContext op, int i, List<String> inputs, Tensor[] constants) {
    Map<String, AttributeValue> attrs =
        new LinkedHashMap<>(op.attrs().withPrefix("p" + i + ".").asMap());
    attrs.remove("node");
    Node part =
        new Node(
            partName(op, i),
            op.node().domain(),
            "FusedConv",
            inputs,
            List.of(""),
            Attributes.of(attrs),
            "");
    return new ConvKernel(new OpContext(part, op.opset(), constants));
  }

  @Override
  public long packedBytes() {
    return Arrays.stream(parts).mapToLong(ConvKernel::packedBytes).sum();
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    int[] shape = null;
    int[] first = new int[parts.length + 1];
    for (int i = 0; i < parts.length; i++) {
      int p = i;
      int[] s = part(p, () -> parts[p].outputShape(in[3 * p], in[3 * p + 1]));
      if (shape == null) {
        shape = s.clone();
      } else if (s.length != shape.length
          || s[0] != shape[0]
          || !Arrays.equals(s, 2, s.length, shape, 2, shape.length)) {
        throw new OctetException(
            "the outputs of "
                + names[0]
                + " "
                + Arrays.toString(shape)
                + " and "
                + names[i]
                + " "
                + Arrays.toString(s)
                + " cannot be concatenated along axis 1");
      }
      first[i + 1] = first[i] + s[1];
    }
    shape[1] = first[parts.length];
    int size = 1;
    for (int d : shape) {
      size = Math.multiplyExact(size, d);
    }
    float[] out = ctx.floats(size);
    if (poolsOnce(in)) {
      // every part's whole output into one buffer, then one pooling over all its channels
      ConvGeometry conv = parts[0].convolution(in[0], in[1]);
      int channels = shape[1];
      float[] full = ctx.floats(Math.multiplyExact(shape[0] * channels, conv.outSize()));
      for (int i = 0; i < parts.length; i++) {
        int p = i;
        part(
            p,
            () -> {
              parts[p].convolveInto(
                  ctx, Arrays.copyOfRange(in, 3 * p, 3 * p + 3), full, first[p], channels);
              return null;
            });
      }
      ConvGeometry pooling = parts[0].pooling(in[0], in[1]);
      ConvKernel.poolPlanes(ctx, full, shape[0], channels, conv, pooling, out, 0, channels);
      ctx.recycle(full);
      return new Tensor[] {Tensor.wrap(out, shape)};
    }
    // the parts write it as many short rows (one per output channel), too short for the
    // prefetcher, into a buffer last written a run ago ({@link ConvKernel#run})
    Prefetch.floats(out, 0, size);
    for (int i = 0; i < parts.length; i++) {
      int p = i;
      int channels = shape[1];
      part(
          p,
          () -> {
            parts[p].runInto(
                ctx, Arrays.copyOfRange(in, 3 * p, 3 * p + 3), out, first[p], channels);
            return null;
          });
    }
    return new Tensor[] {Tensor.wrap(out, shape)};
  }

  /**
   * Whether the parts pool once, together: each has a fused max pooling, the same one over
   * convolution outputs of the same size, and some part writes its whole output anyway (a Winograd
   * or direct convolution, see {@link ConvKernel#poolsAsItGoes}). The parts then write their whole
   * outputs into one buffer, pooled in one pass over all channels, instead of each pooling its own
   * (the GEMM parts from their row chunks as they go): SqueezeNet (fire3 and fire5) on a Zen 1 EPYC
   * with AVX2, 1.3% faster at two threads and 0.3-0.5% at one (interleaved in one JVM, both
   * orders). Where every part pools as it goes, none writes its whole output, and that stays.
   */
  private boolean poolsOnce(Tensor[] in) {
    boolean wholeAnyway = false;
    ConvGeometry conv = null;
    ConvGeometry pooling = null;
    for (int i = 0; i < parts.length; i++) {
      Tensor x = in[3 * i];
      Tensor w = in[3 * i + 1];
      ConvGeometry c = parts[i].convolution(x, w);
      ConvGeometry p = parts[i].pooling(x, w);
      if (p == null) {
        return false;
      }
      if (i == 0) {
        conv = c;
        pooling = p;
      } else if (!Arrays.equals(c.out(), conv.out()) || !p.sameAs(pooling)) {
        return false;
      }
      wholeAnyway |= !parts[i].poolsAsItGoes(x, w);
    }
    return wholeAnyway;
  }

  /** Runs a step of part i, naming the part's node in an error. */
  private <T> T part(int i, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (OctetException e) {
      throw new OctetException("fused convolution '" + names[i] + "': " + e.getMessage(), e);
    }
  }
}
