package dev.octet.quant;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Pads the input channels of a Conv that reads a model input (an image's 3 RGB channels) to a
 * multiple of 4: a float Pad adds zero channels to the input and the weights get zero input
 * channels, so the result is unchanged. ONNX Runtime's fast symmetric 8-bit convolution (direct or
 * indirect, with VNNI) requires input channels in multiples of 4 and otherwise falls back to im2col
 * and a general integer GEMM with K = 27, which ran SqueezeNet's first Conv at half the speed of
 * its float Conv (0.63 vs 0.33 ms; with 4 channels: see BENCHMARKS.md). Only first-layer convs are
 * padded: the Pad of a 150K-element image costs little, a Pad inside the network would not.
 */
public final class InputChannelPadding {
  static final int ALIGN = 4;

  private InputChannelPadding() {}

  /** Pads the convs that {@code quantized} accepts (a float Conv gains nothing). */
  public static Model apply(Model model, java.util.function.Predicate<Node> quantized) {
    Graph g = model.graph();
    GraphEditor e = g.edit();
    int padded = 0;
    List<String> inputs = g.realInputs().stream().map(ValueInfo::name).toList();
    for (Node conv : g.nodes()) {
      Tensor w =
          conv.opType().equals("Conv") && conv.domain().isEmpty()
              ? g.constant(conv.input(1)).orElse(null)
              : null;
      if (w == null
          || w.dtype() != DType.FLOAT
          || w.rank() != 4
          || conv.attributes().getInt("group", 1) != 1
          || !inputs.contains(conv.input(0))
          || w.dim(1) % ALIGN != ALIGN - 1
          || !quantized.test(conv)) {
        continue;
      }
      int c = w.dim(1);
      int c2 = (c + ALIGN - 1) / ALIGN * ALIGN;
      int m = w.dim(0);
      int khw = w.dim(2) * w.dim(3);
      float[] v = w.toFloatArray();
      float[] v2 = new float[m * c2 * khw];
      for (int o = 0; o < m; o++) {
        System.arraycopy(v, o * c * khw, v2, o * c2 * khw, c * khw);
      }
      String wName = e.freshName(conv.input(1) + "_padded");
      e.putInitializer(wName, Tensor.wrap(v2, m, c2, w.dim(2), w.dim(3)));
      String pads = e.freshName(conv.name() + "_channel_pads");
      e.putInitializer(pads, Tensor.wrap(new long[] {0, 0, 0, 0, 0, c2 - c, 0, 0}, 8));
      String x = e.freshName(conv.input(0) + "_channels_padded");
      Node pad =
          new Node(
              e.freshName(conv.name() + "_channel_pad"),
              "Pad",
              List.of(conv.input(0), pads),
              List.of(x),
              Attributes.empty());
      List<String> in = new ArrayList<>(conv.inputs());
      in.set(0, x);
      in.set(1, wName);
      e.replaceNode(conv.name(), pad, conv.withInputs(in));
      if (g.consumers(conv.input(1)).size() == 1 && !g.isOutput(conv.input(1))) {
        e.removeInitializer(conv.input(1));
      }
      padded++;
    }
    return padded == 0 ? model : model.withGraph(e.freeze());
  }
}
