package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A convolution (or a ConvConcat) read by a MaxPool pools its output rows as the GEMM leaves them:
 * the same bits as the unfused plan, for strides, pads, ceil mode, dilated and overlapping windows,
 * several row chunks, batch 2 and two threads; the direct and Winograd convolutions' path (whole
 * output, then pool) and the stem form's (output channels in the vectors, pooled a row at a time)
 * too.
 */
class ConvPoolTest {
  private static final Random R = new Random(17);

  private static Tensor random(int... shape) {
    return TransposedMatMulTest.random(R, shape);
  }

  private static Map<String, AttributeValue> pool(
      int k, int stride, int pad, int ceil, int dilation) {
    Map<String, AttributeValue> a = new HashMap<>();
    a.put("kernel_shape", AttributeValue.ints(k, k));
    a.put("strides", AttributeValue.ints(stride, stride));
    a.put("pads", AttributeValue.ints(pad, pad, pad, pad));
    a.put("ceil_mode", AttributeValue.of((long) ceil));
    if (dilation != 1) {
      a.put("dilations", AttributeValue.ints(dilation, dilation));
    }
    return a;
  }

  /** x [2, c, h, w] -> Conv (k x k, stride, pad 1, bias) -> Relu -> MaxPool. */
  private static Model model(
      int c, int h, int w, int m, int k, int convStride, Map<String, AttributeValue> pool) {
    return model(c, h, w, m, k, convStride, 1, pool);
  }

  /** x [2, c, h, w] -> Conv (k x k, stride, pads, bias) -> Relu -> MaxPool. */
  private static Model model(
      int c,
      int h,
      int w,
      int m,
      int k,
      int convStride,
      int convPad,
      Map<String, AttributeValue> pool) {
    return Model.of(
        new GraphEditor("cp")
            .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, c, h, w)))
            .addOutput(new ValueInfo("y", null))
            .putInitializer("w", random(m, c, k, k))
            .putInitializer("b", random(m))
            .addNode(
                new Node(
                    "conv",
                    "Conv",
                    List.of("x", "w", "b"),
                    List.of("h"),
                    Attributes.of(
                        Map.of(
                            "pads", AttributeValue.ints(convPad, convPad, convPad, convPad),
                            "strides", AttributeValue.ints(convStride, convStride)))))
            .addNode(new Node("relu", "Relu", List.of("h"), List.of("r"), Attributes.empty()))
            .addNode(new Node("pool", "MaxPool", List.of("r"), List.of("y"), Attributes.of(pool)))
            .freeze(),
        8,
        List.of(new OpsetImport("", 13)));
  }

  private static void assertSameBits(Model model, int[] inShape, int threads) {
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(model.graph()));
    assertFalse(ops.containsKey("MaxPool"), ops.toString());
    FusionTest.assertSameBitsAsUnfused(model, Map.of("x", random(inShape)), "y", threads);
  }

  @ParameterizedTest(
      name = "{0}x{1}x{2} -> {3}, k{4} s{5}; pool k{6} s{7} p{8} ceil{9} d{10}; {11}T")
  @CsvSource({
    // SqueezeNet's first layer, smaller: stride-2 3x3 convolution, 3x3 stride-2 pooling
    "3, 61, 47, 16, 3, 2, 3, 2, 0, 0, 1, 1",
    // many chunks (16 channels x 140 rows of a 77-wide grid), pooling windows overlap chunk edges
    "4, 140, 75, 16, 3, 1, 3, 2, 1, 1, 1, 1",
    "4, 140, 75, 16, 3, 1, 3, 2, 1, 1, 1, 2",
    "5, 33, 29, 12, 3, 1, 2, 2, 0, 0, 1, 2",
    "5, 33, 29, 12, 3, 1, 2, 1, 1, 0, 1, 1",
    "5, 33, 29, 12, 1, 1, 3, 3, 0, 1, 1, 1",
    // dilated pooling windows (value by value)
    "5, 33, 29, 12, 3, 1, 3, 2, 1, 0, 2, 1",
    // mnist's shape: the direct convolution, pooled afterwards
    "1, 28, 28, 8, 5, 1, 2, 2, 0, 0, 1, 1",
    // mnist's second layer (padded by 1 here): a GEMM too small to run in parallel, whose one
    // chunk of rows is cut into one per thread
    "8, 14, 14, 16, 5, 1, 3, 3, 0, 0, 1, 2",
    // Winograd's convolution, pooled afterwards over (image, channel) planes on two threads
    "32, 57, 55, 32, 3, 1, 3, 2, 0, 0, 1, 2",
    // the stem form (StemConv: few input channels, output channels in multiples of 64):
    // SqueezeNet's first layer, ResNet's 7x7 one, one input channel and two channel blocks with
    // ceil mode, dilated windows, a pooled row of two 16-position blocks and 4 more, and an output
    // too narrow for its tiles (the GEMM's)
    "3, 61, 47, 64, 3, 2, 3, 2, 0, 0, 1, 1",
    "3, 61, 47, 64, 3, 2, 3, 2, 0, 0, 1, 2",
    "3, 40, 38, 64, 7, 2, 3, 2, 1, 0, 1, 2",
    "1, 30, 33, 128, 3, 1, 2, 2, 0, 1, 1, 1",
    "4, 29, 31, 64, 5, 1, 3, 2, 1, 0, 2, 2",
    "3, 20, 150, 64, 3, 2, 3, 2, 0, 0, 1, 2",
    "3, 9, 7, 64, 3, 2, 2, 2, 0, 0, 1, 1",
  })
  void fusedPoolingGivesTheSameBits(
      int c,
      int h,
      int w,
      int m,
      int k,
      int convStride,
      int pk,
      int ps,
      int pp,
      int ceil,
      int dilation,
      int threads) {
    Model model = model(c, h, w, m, k, convStride, pool(pk, ps, pp, ceil, dilation));
    assertSameBits(model, new int[] {2, c, h, w}, threads);
  }

  @ParameterizedTest(name = "{0}x{1}x{2} -> {3}, {4}x{4}/{5}, {6} thread(s)")
  @CsvSource({
    // the stem form reads an input without pads where it is, a stride apart: SqueezeNet's first
    // layer (its last input column unread), an odd width read to the end, a 7x7 stride-3 one
    "3, 37, 224, 64, 3, 2, 1",
    "3, 33, 71, 64, 3, 2, 2",
    "2, 40, 64, 128, 7, 3, 1",
  })
  void stemWithoutPadsGivesTheSameBits(int c, int h, int w, int m, int k, int stride, int threads) {
    Model model = model(c, h, w, m, k, stride, 0, pool(3, 2, 0, 0, 1));
    assertSameBits(model, new int[] {2, c, h, w}, threads);
  }

  /**
   * A 1x1 and a 3x3 convolution of x [2, c, h, w] joined and max-pooled (3x3, stride 2, ceil mode).
   * With few channels both run as GEMMs and each pools its own channels as it goes; with 32 input
   * and output channels the 3x3 one is a Winograd convolution, which writes its whole output
   * anyway, and then both write their whole outputs into one buffer, pooled once over all channels.
   */
  @ParameterizedTest(name = "{0}x{1}x{2} -> {3} + {4}, {5} thread(s)")
  @CsvSource({
    "6, 27, 31, 9, 7, 1",
    "6, 27, 31, 9, 7, 2",
    "32, 29, 31, 24, 32, 1",
    "32, 29, 31, 24, 32, 2",
  })
  void concatenatedConvolutionsPoolTheirOwnChannels(
      int c, int h, int w, int m1, int m2, int threads) {
    Map<String, AttributeValue> pad1 =
        Map.of("pads", AttributeValue.ints(1, 1, 1, 1), "kernel_shape", AttributeValue.ints(3, 3));
    Model model =
        Model.of(
            new GraphEditor("ccp")
                .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, c, h, w)))
                .addOutput(new ValueInfo("y", null))
                .putInitializer("w1", random(m1, c, 1, 1))
                .putInitializer("b1", random(m1))
                .putInitializer("w2", random(m2, c, 3, 3))
                .addNode(
                    new Node(
                        "c1", "Conv", List.of("x", "w1", "b1"), List.of("h1"), Attributes.empty()))
                .addNode(
                    new Node("c2", "Conv", List.of("x", "w2"), List.of("h2"), Attributes.of(pad1)))
                .addNode(
                    new Node(
                        "cat",
                        "Concat",
                        List.of("h1", "h2"),
                        List.of("h"),
                        Attributes.of(Map.of("axis", AttributeValue.of(1L)))))
                .addNode(
                    new Node(
                        "pool",
                        "MaxPool",
                        List.of("h"),
                        List.of("y"),
                        Attributes.of(pool(3, 2, 0, 1, 1))))
                .freeze(),
            8,
            List.of(new OpsetImport("", 13)));
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(model.graph()));
    assertEquals(1L, ops.get("com.octet.ConvConcat"), ops.toString());
    assertSameBits(model, new int[] {2, c, h, w}, threads);
  }

  @Test
  void poolingWithIndicesOrReadByOthersStaysApart() {
    Model model = model(3, 20, 20, 8, 3, 1, pool(2, 2, 0, 0, 1));
    GraphEditor read = model.graph().edit();
    read.addOutput(new ValueInfo("r", null));
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(read.freeze()));
    assertTrue(ops.containsKey("MaxPool"), ops.toString());
    GraphEditor indices = model.graph().edit();
    indices.replaceNode(
        "pool",
        new Node(
            "pool",
            "MaxPool",
            List.of("r"),
            List.of("y", "i"),
            Attributes.of(pool(2, 2, 0, 0, 1))));
    indices.addOutput(new ValueInfo("i", null));
    ops = FusionTest.ops(Fusions.apply(indices.freeze()));
    assertTrue(ops.containsKey("MaxPool"), ops.toString());
  }
}
