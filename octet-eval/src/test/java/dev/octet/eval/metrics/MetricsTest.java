package dev.octet.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.OctetEngine;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void spearmanUsesAverageRanksForTies() {
    assertEquals(
        1.0, Metrics.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 40}), 1e-12);
    assertEquals(
        -1.0, Metrics.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1}), 1e-12);
    // ranks with ties: {1, 2.5, 2.5, 4}; scipy.stats.spearmanr gives 0.9486832980505138
    assertEquals(
        0.9486832980505138,
        Metrics.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}),
        1e-12);
    assertEquals(1.0, Metrics.cosine(new float[] {1, 2}, new float[] {2, 4}), 1e-7);
  }

  @Test
  void miniLmScoresTheReferenceSpearmanOnStsBenchmarkInOctetsRuntime() {
    Model model = OnnxModels.load(MiniLm.resource(MiniLm.MODEL));
    StsBenchmark test = StsBenchmark.read(SharedData.require("data/stsbenchmark/sts-test.csv"));
    try (TextEncoder tok = MiniLm.tokenizer(256);
        OctetEngine octet = new OctetEngine(model, 2)) {
      StsEvaluation e = StsEvaluation.run(octet, tok, test, 32);
      // the published FP32 figure (MTEB) is 0.8203
      assertEquals(0.8203, e.spearman(), 0.0005);
    }
  }
}
