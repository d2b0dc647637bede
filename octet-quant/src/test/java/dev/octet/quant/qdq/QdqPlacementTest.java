package dev.octet.quant.qdq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.testing.SharedData;
import dev.octet.quant.InputChannelPadding;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Where Q/DQ pairs go on SqueezeNet's real topology: concats share one range with their inputs, a
 * chain that starts in float stays float up to the next quantized compute op, and the first Conv's
 * input channels are padded to 4 without changing the output.
 */
class QdqPlacementTest {
  private static Model squeezeNet() {
    return Float16ToFloat32.toFloat32(
        OnnxModels.load(SharedData.require("models/squeezenet1.0-fp16.onnx")));
  }

  @Test
  void concatInputsTakeTheConcatOutputsParameters() {
    Graph g = squeezeNet().graph();
    Map<String, Mark> marks = OpAnnotators.annotate(g, n -> true);
    int concats = 0;
    for (Node n : g.nodes()) {
      if (n.opType().equals("Concat")) {
        concats++;
        assertEquals(new Mark.Activation(), marks.get(n.output(0)), n.name());
        for (String in : n.inputs()) {
          assertEquals(new Mark.SameAs(n.output(0)), marks.get(in), n.name() + " input " + in);
        }
      }
    }
    assertEquals(8, concats);
  }

  @Test
  void aFloatFirstConvKeepsItsReluAndPoolInFloat() {
    Graph g = squeezeNet().graph();
    Node conv = g.nodes().get(0);
    Node relu = g.consumers(conv.output(0)).get(0);
    Node pool = g.consumers(relu.output(0)).get(0);
    assertEquals("MaxPool", pool.opType());
    Map<String, Mark> all = OpAnnotators.annotate(g, n -> true);
    assertEquals(new Mark.Activation(), all.get(g.realInputs().get(0).name()));
    assertEquals(new Mark.SameAs(relu.output(0)), all.get(pool.output(0)));

    Map<String, Mark> marks = OpAnnotators.annotate(g, n -> n != conv);
    assertFalse(marks.containsKey(g.realInputs().get(0).name()), "no Q on the float input");
    assertFalse(marks.containsKey(conv.output(0)));
    assertFalse(marks.containsKey(relu.output(0)), "the Relu stays in float");
    // the pool's output feeds a quantized Conv: quantized once, on its own range
    assertEquals(new Mark.Activation(), marks.get(pool.output(0)));
  }

  @Test
  void firstConvInputChannelsArePaddedWithoutChangingTheOutput() {
    Model m = squeezeNet();
    Model padded = InputChannelPadding.apply(m, n -> true);
    Graph g = padded.graph();
    Node conv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
    assertEquals("Pad", g.producer(conv.input(0)).orElseThrow().opType());
    assertEquals(4, g.constant(conv.input(1)).orElseThrow().dim(1));
    assertFalse(g.constant("conv1_w_0").isPresent(), "the unpadded weight is gone");
    assertEquals(
        1, g.nodes().stream().filter(n -> n.opType().equals("Pad")).count(), "only the first Conv");
    assertTrue(InputChannelPadding.apply(m, n -> false) == m, "nothing to do for float convs");

    float[] x = new float[3 * 224 * 224];
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-120, 150);
    }
    Map<String, Tensor> in = Map.of(g.realInputs().get(0).name(), Tensor.wrap(x, 1, 3, 224, 224));
    float[] a = run(m, in);
    float[] b = run(padded, in);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    assertTrue(worst < 1e-5, "max abs difference " + worst);
  }

  private static float[] run(Model m, Map<String, Tensor> in) {
    try (Session s = Session.create(m, SessionOptions.defaults().withThreads(1))) {
      return s.run(in).values().iterator().next().toFloatArray();
    }
  }
}
