package dev.octet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.core.passes.OpsetUpgrade;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.bench.RandomInputs;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Raising real models to opset 13 keeps their outputs, in Octet and in ONNX Runtime. */
class OpsetUpgradeTest {
  @Test
  void mnistAndSqueezeNetKeepTheirOutputsAtOpset13() {
    List<Model> models =
        List.of(
            OnnxModels.load(SharedData.require("models/mnist-8.onnx")),
            Float16ToFloat32.apply(
                OnnxModels.load(SharedData.require("models/squeezenet1.0-fp16.onnx")), false));
    for (Model m : models) {
      Model up = OpsetUpgrade.to(m, 13);
      assertEquals(13, up.opsetVersion(""));
      Map<String, Tensor> in = RandomInputs.of(m.graph(), 3, 1, 1, Map.of());
      try (OctetEngine before = new OctetEngine(m, 1);
          OctetEngine after = new OctetEngine(up, 1);
          OrtEngine ort = new OrtEngine(up, 1)) {
        Tensor a = before.run(in).values().iterator().next();
        Tensor b = after.run(in).values().iterator().next();
        Tensor c = ort.run(in).values().iterator().next();
        assertTrue(maxAbsDiff(a, b) < 1e-6, "octet before/after: " + maxAbsDiff(a, b));
        assertTrue(maxAbsDiff(a, c) < 1e-4, "octet/ort: " + maxAbsDiff(a, c));
      }
    }
  }

  static double maxAbsDiff(Tensor a, Tensor b) {
    double m = 0;
    for (int i = 0; i < a.size(); i++) {
      m = Math.max(m, Math.abs(a.getDouble(i) - b.getDouble(i)));
    }
    return m;
  }
}
