package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.testing.SharedData;
import dev.octet.runtime.Close;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fused and unfused plans of real models compute the same outputs, and the patterns fire. */
class FusionTest {
  /** The fused and the unfused plan give {@code output} the same shape and the same bits. */
  static void assertSameBitsAsUnfused(
      Model model, Map<String, Tensor> in, String output, int threads) {
    SessionOptions options = SessionOptions.defaults().withThreads(threads);
    try (Session fused = Session.create(model, options);
        Session plain = Session.create(model, options.withFusion(false))) {
      Tensor a = fused.run(in).get(output);
      Tensor b = plain.run(in).get(output);
      assertArrayEquals(b.shape(), a.shape());
      assertArrayEquals(b.floats(), a.floats());
    }
  }

  static Map<String, Long> ops(Graph g) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      m.merge(n.qualifiedOpType(), 1L, Long::sum);
    }
    return m;
  }

  @Test
  void miniLmLayerNormGeluAndBiasesFuseAndAgree() {
    Model model = OnnxModels.load(SharedData.resource("all-minilm-l6-v2.onnx"));
    Map<String, Long> fused = ops(Fusions.apply(model.graph(), model.opsetVersion("")));
    assertEquals(13L, fused.get("com.octet.LayerNormalization"), fused.toString());
    assertEquals(6L, fused.get("com.octet.Gelu"), fused.toString());
    assertEquals(36L, fused.get("com.octet.FusedMatMul"), fused.toString());
    // Q, K^T and V split into heads and the heads joined back: all 24 Transposes fold, and each
    // layer's two products with the softmax between them become one attention op
    assertEquals(6L, fused.get("com.octet.Attention"), fused.toString());
    assertTrue(
        !fused.containsKey("Transpose") && !fused.containsKey("com.octet.MaskedSoftmax"),
        fused.toString());
    // the 12 residual Adds before a layer norm and the embeddings' last Add fold into the norms
    assertEquals(1L, fused.get("Add"), fused.toString());
    Random r = new Random(3);
    long[] ids = new long[2 * 20];
    long[] mask = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1000 + r.nextInt(20000);
      mask[i] = i % 20 < 15 || i < 20 ? 1 : 0;
    }
    Map<String, Tensor> in =
        Map.of(
            "input_ids",
            Tensor.wrap(ids, 2, 20),
            "attention_mask",
            Tensor.wrap(mask, 2, 20),
            "token_type_ids",
            Tensor.wrap(new long[ids.length], 2, 20));
    try (Session a = Session.create(model);
        Session b = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      Tensor x = a.run(in).get("last_hidden_state");
      Tensor y = b.run(in).get("last_hidden_state");
      assertTrue(Close.maxAbsDiff(y, x) < 2e-5, "fused vs unfused: " + Close.maxAbsDiff(y, x));
    }
  }

  @Test
  void squeezeNetConvReluFusesAndAgrees() {
    Model model =
        Float16ToFloat32.apply(
            OnnxModels.load(SharedData.require("models/squeezenet1.0-fp16.onnx")), false);
    Map<String, Long> fused = ops(Fusions.apply(model.graph()));
    // the two expand convolutions of each of the 8 fire modules write into their Concat's output
    assertEquals(8L, fused.get("com.octet.ConvConcat"), fused.toString());
    // the first layer (pooled) and fire2's squeeze as one ConvChain; the 7 other squeezes and
    // conv10 stay FusedConvs
    assertEquals(1L, fused.get("com.octet.ConvChain"), fused.toString());
    assertEquals(8L, fused.get("com.octet.FusedConv"), fused.toString());
    assertTrue(!fused.containsKey("Relu") && !fused.containsKey("Concat"), fused.toString());
    // the three max poolings are done by the convolutions before them (conv1, fire3's and fire5's
    // expand layers)
    assertTrue(!fused.containsKey("MaxPool"), fused.toString());
    float[] x = new float[3 * 224 * 224];
    Random r = new Random(4);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian() * 50;
    }
    Map<String, Tensor> in = Map.of("data_0", Tensor.wrap(x, 1, 3, 224, 224));
    try (Session a = Session.create(model);
        Session b = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      // each output element is computed the same way fused or not: equal to the bit
      assertArrayEquals(
          b.run(in).get("softmaxout_1").floats(), a.run(in).get("softmaxout_1").floats());
    }
  }

  @Test
  void mnistBiasAddsFoldIntoTheConvolutionsAndAgree() {
    Model model = OnnxModels.load(SharedData.require("models/mnist-8.onnx"));
    Map<String, Long> fused = ops(Fusions.apply(model.graph()));
    // Conv -> Add(bias [C,1,1]) -> Relu, twice: the Add folds into the bias, the Relu fuses
    assertEquals(2L, fused.get("com.octet.FusedConv"), fused.toString());
    assertEquals(1L, fused.get("Add"), fused.toString());
    // the max poolings after them too (the direct convolution's path: the whole output, then pool)
    assertTrue(!fused.containsKey("MaxPool"), fused.toString());
    float[] x = new float[28 * 28];
    Random r = new Random(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() * 255;
    }
    Map<String, Tensor> in = Map.of("Input3", Tensor.wrap(x, 1, 1, 28, 28));
    try (Session a = Session.create(model);
        Session b = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      Tensor y = a.run(in).get("Plus214_Output_0");
      Tensor z = b.run(in).get("Plus214_Output_0");
      assertTrue(Close.maxAbsDiff(z, y) < 1e-3, "fused vs unfused: " + Close.maxAbsDiff(z, y));
    }
  }

  @Test
  void anUnreadDropoutMaskIsDroppedAndAReadOneKept() {
    Graph unread =
        new GraphEditor("g")
            .addInput(new ValueInfo("x", null))
            .addNode(
                new Node("d", "Dropout", List.of("x"), List.of("y", "mask"), Attributes.empty()))
            .addOutput(new ValueInfo("y", null))
            .freeze();
    assertEquals(List.of("y"), Fusions.apply(unread).nodes().get(0).outputs());
    Graph read = unread.edit().addOutput(new ValueInfo("mask", null)).freeze();
    assertEquals(List.of("y", "mask"), Fusions.apply(read).nodes().get(0).outputs());
  }
}
