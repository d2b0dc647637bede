package dev.octet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.data.ImageFolder;
import dev.octet.eval.data.ImagePreprocess;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.data.Mnist;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Octet's runtime against ONNX Runtime on the real models and data in ../shared. */
class RealModelParityTest {

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void mnistPredictionsEqualOnnxRuntimesOnAllTenThousandImages() {
    Model model = OnnxModels.load(SharedData.require("models/mnist-8.onnx"));
    Mnist data = Mnist.read(SharedData.require("data/mnist").resolve("t10k"), 0);
    assertEquals(10_000, data.size());
    String input = model.graph().realInputs().get(0).name();
    int agree = 0;
    int correct = 0;
    try (Engine octet = new OctetEngine(model, 2);
        Engine ort = new OrtEngine(model, 2)) {
      for (int i = 0; i < data.size(); i++) {
        Map<String, Tensor> in = Map.of(input, Tensor.wrap(data.images()[i], 1, 1, 28, 28));
        int a = argmax(octet.run(in).values().iterator().next().floats());
        int b = argmax(ort.run(in).values().iterator().next().floats());
        agree += a == b ? 1 : 0;
        correct += a == data.labels()[i] ? 1 : 0;
      }
    }
    assertEquals(
        10_000, agree, "Octet and ONNX Runtime must predict the same class on every image");
    assertTrue(correct > 9800, "mnist-8 accuracy " + correct / 100.0 + "%");
  }

  @Test
  void squeezeNetTop1EqualsOnnxRuntimesOnTheImageNetImages() {
    Model fp16 = OnnxModels.load(SharedData.require("models/squeezenet1.0-fp16.onnx"));
    Model fp32 = Float16ToFloat32.apply(fp16, false);
    ImageFolder images =
        ImageFolder.read(
            SharedData.require("data/imagenet-500/images"),
            SharedData.require("data/imagenet-500/synset.txt"));
    assertEquals(500, images.size());
    ImagePreprocess pre = ImagePreprocess.caffe();
    String input = fp32.graph().realInputs().get(0).name();
    int agree = 0;
    int correct = 0;
    try (Engine octet = new OctetEngine(fp32, 2);
        Engine ort = new OrtEngine(fp32, 2);
        Engine octet16 = new OctetEngine(fp16, 2);
        Engine ort16 = new OrtEngine(fp16, 2)) {
      for (int i = 0; i < images.size(); i++) {
        Tensor x = pre.load(images.files().get(i));
        int a = argmax(octet.run(Map.of(input, x)).values().iterator().next().floats());
        int b = argmax(ort.run(Map.of(input, x)).values().iterator().next().floats());
        agree += a == b ? 1 : 0;
        correct += a == images.labels()[i] ? 1 : 0;
        if (i % 50 == 0) {
          // the fp16 model runs as is, fed fp16, in both engines
          Tensor x16 = Tensor.wrap(dev.octet.core.DType.FLOAT16, x.shape(), toHalf(x.floats()));
          Tensor o16 = octet16.run(Map.of(input, x16)).values().iterator().next();
          Tensor r16 = ort16.run(Map.of(input, x16)).values().iterator().next();
          assertEquals(dev.octet.core.DType.FLOAT16, o16.dtype());
          assertEquals(
              argmax(r16.toFloatArray()), argmax(o16.toFloatArray()), "fp16 model, image " + i);
        }
      }
    }
    assertEquals(500, agree, "top-1 must match ONNX Runtime's on every image");
    assertTrue(correct > 250, "SqueezeNet top-1 " + correct / 5.0 + "%");
  }

  static short[] toHalf(float[] f) {
    short[] h = new short[f.length];
    for (int i = 0; i < f.length; i++) {
      h[i] = Float.floatToFloat16(f[i]);
    }
    return h;
  }

  @Test
  void miniLmHiddenStatesMatchOnnxRuntimeForBatchOneAndEightWithPadding() {
    Model model = OnnxModels.load(MiniLm.resource(MiniLm.MODEL));
    List<String> sentences =
        StsBenchmark.read(SharedData.require("data/stsbenchmark/sts-dev.csv"))
            .sentences()
            .subList(0, 40);
    double worst = 0;
    try (TextEncoder tok = MiniLm.tokenizer(256);
        Engine octet = new OctetEngine(model, 2);
        Engine ort = new OrtEngine(model, 2)) {
      List<List<String>> batches = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        batches.add(List.of(sentences.get(i)));
      }
      for (int i = 8; i + 8 <= sentences.size(); i += 8) {
        batches.add(sentences.subList(i, i + 8));
      }
      for (List<String> batch : batches) {
        Map<String, Tensor> in = tok.encode(batch);
        Tensor a = octet.run(in).get("last_hidden_state");
        Tensor b = ort.run(in).get("last_hidden_state");
        assertEquals(java.util.Arrays.toString(b.shape()), java.util.Arrays.toString(a.shape()));
        for (int k = 0; k < a.size(); k++) {
          worst = Math.max(worst, Math.abs(a.floats()[k] - b.floats()[k]));
        }
      }
    }
    assertTrue(worst < 1e-4, "max abs difference of last_hidden_state: " + worst);
  }
}
