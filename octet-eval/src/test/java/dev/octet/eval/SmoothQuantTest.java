package dev.octet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import dev.octet.quant.Recipe;
import dev.octet.quant.SmoothQuant;
import dev.octet.quant.calib.Calibrator;
import dev.octet.quant.calib.ChannelMax;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SmoothQuant on all-MiniLM-L6-v2: same float outputs, outlier channels moved into the weights. */
class SmoothQuantTest {
  private static final String FFN_INPUT =
      "/encoder/layer.0/attention/output/LayerNorm/Add_1_output_0";

  @Test
  void smoothingMiniLmKeepsItsOutputsAndFlattensTheLayerNormOutliers() {
    Model fp32 = OnnxModels.load(MiniLm.resource(MiniLm.MODEL));
    List<String> train =
        StsBenchmark.read(SharedData.require("data/stsbenchmark/sts-train.csv")).sentences();
    List<String> test =
        StsBenchmark.read(SharedData.require("data/stsbenchmark/sts-test.csv")).sentences();
    try (TextEncoder tok = MiniLm.tokenizer(128)) {
      List<Map<String, Tensor>> calib = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calib.add(tok.encode(train.subList(i * 8, i * 8 + 8)));
      }
      Model smoothed =
          SmoothQuant.apply(fp32, calib, Recipe.transformer().withSmoothing(0.5f), 2, null);
      // one Mul per layer normalization read by MatMuls: the embeddings' (query/key/value of
      // layer 0), each attention output's (FFN up) and each block output's but the last
      long muls =
          smoothed.graph().nodes().stream().filter(n -> n.name().endsWith("_Smooth")).count();
      assertEquals(12, muls);
      assertTrue(smoothed.metadata().get("octet.smoothing").startsWith("alpha 0.5: "));

      Map<String, Tensor> in = tok.encode(test.subList(0, 8));
      float[] a = run(fp32, in);
      float[] b = run(smoothed, in);
      float diff = 0;
      for (int i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      assertTrue(diff < 1e-4, "max |FP32 - smoothed FP32| " + diff);

      String smoothedInput =
          smoothed.graph().nodes().stream()
              .filter(n -> n.name().endsWith("_Smooth") && n.input(0).equals(FFN_INPUT))
              .findFirst()
              .orElseThrow()
              .output(0);
      Map<String, ChannelMax> before =
          new Calibrator(fp32, Set.of(FFN_INPUT), 2)
              .run(calib, null, ChannelMax::new, ChannelMax::observe);
      Map<String, ChannelMax> after =
          new Calibrator(smoothed, Set.of(smoothedInput), 2)
              .run(calib, null, ChannelMax::new, ChannelMax::observe);
      double spreadBefore = maxOverMedian(before.get(FFN_INPUT).values());
      double spreadAfter = maxOverMedian(after.get(smoothedInput).values());
      System.out.printf(
          "MiniLM layer 0 FFN input, largest channel / median channel: %.1f before smoothing,"
              + " %.1f after%n",
          spreadBefore, spreadAfter);
      assertTrue(spreadBefore > 10, "spread before " + spreadBefore);
      assertTrue(spreadAfter < spreadBefore / 3, "spread after " + spreadAfter);
    }
  }

  private static double maxOverMedian(float[] max) {
    float[] s = max.clone();
    Arrays.sort(s);
    return s[s.length - 1] / s[s.length / 2];
  }

  private static float[] run(Model m, Map<String, Tensor> in) {
    try (Session s = Session.create(m, SessionOptions.defaults().withThreads(2))) {
      return s.run(in).get("last_hidden_state").toFloatArray();
    }
  }
}
