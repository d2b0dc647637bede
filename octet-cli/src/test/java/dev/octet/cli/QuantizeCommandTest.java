package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.quant.Provenance;
import dev.octet.quant.RecipeJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
  @Test
  void quantizesMnistWithProvenanceAndRefusesBadRequests(@TempDir Path dir) throws Exception {
    Path in = SharedData.require("models/mnist-8.onnx");
    Path out = dir.resolve("mnist-int8.onnx");
    String data = "mnist:" + SharedData.require("data/mnist").resolve("train10k");
    InspectCommandTest.Result r =
        InspectCommandTest.run(
            "quantize",
            in.toString(),
            "-o",
            out.toString(),
            "--calib",
            data,
            "--samples",
            "50",
            "--method",
            "percentile");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("size:") && r.out().contains("QuantizeLinear"), r.out());
    Model q = OnnxModels.load(out);
    assertEquals(Provenance.sha256(in), q.metadata().get("octet.source.sha256"));
    assertEquals(
        "percentile", RecipeJson.parse(q.metadata().get("octet.recipe"), "metadata").method());
    assertTrue(q.metadata().get("octet.calibration").contains("50 images"));

    Path bad = dir.resolve("bad.onnx");
    for (String[] args :
        new String[][] {
          {"quantize", in.toString(), "-o", bad.toString(), "--calib", "text:nowhere"},
          {"quantize", in.toString(), "-o", bad.toString(), "--calib", data, "--method", "magic"},
          {
            "quantize",
            in.toString(),
            "-o",
            bad.toString(),
            "--calib",
            "mnist:" + dir.resolve("missing")
          },
        }) {
      InspectCommandTest.Result e = InspectCommandTest.run(args);
      assertEquals(OctetCli.BAD_INPUT, e.status(), e.err());
      assertTrue(e.err().startsWith("octet: "), e.err());
      assertFalse(Files.exists(bad));
    }
  }
}
