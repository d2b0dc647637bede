package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.data.MiniLm;
import dev.octet.quant.Provenance;
import dev.octet.quant.Recipe;
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

  /** MiniLM calibrated on STS-B train sentences through a recipe file with a pattern override. */
  @Test
  void quantizesMiniLmFromTextWithARecipeFile(@TempDir Path dir) throws Exception {
    Path in = MiniLm.resource(MiniLm.MODEL);
    Path recipe = dir.resolve("recipe.json");
    Files.writeString(
        recipe,
        """
        {"method": "percentile", "opTypes": ["MatMul", "Gather"],
         "overrides": [{"pattern": ".*intermediate.*", "quantize": false}]}
        """);
    Path out = dir.resolve("minilm-int8.onnx");
    InspectCommandTest.Result r =
        InspectCommandTest.run(
            "quantize",
            in.toString(),
            "-o",
            out.toString(),
            "--recipe",
            recipe.toString(),
            "--calib",
            "text:" + SharedData.require("data/stsbenchmark/sts-train.csv"),
            "--tokenizer",
            MiniLm.resource(MiniLm.TOKENIZER).toString(),
            "--samples",
            "8");
    assertEquals(0, r.status(), r.err());
    Model q = OnnxModels.load(out);
    Recipe stored = RecipeJson.parse(q.metadata().get("octet.recipe"), "metadata");
    assertEquals(RecipeJson.read(recipe), stored);
    assertTrue(
        q.metadata().get("octet.calibration").contains("8 of 11498"), q.metadata().toString());
    // the FFN up-projections (named .../intermediate/dense/MatMul) stay in float, the rest is INT8
    long floatMatMuls =
        q.graph().nodes().stream()
            .filter(n -> n.opType().equals("MatMul"))
            .filter(n -> q.graph().producer(n.input(1)).isEmpty())
            .count();
    long intermediate =
        q.graph().nodes().stream()
            .filter(n -> n.opType().equals("MatMul") && n.name().contains("intermediate"))
            .count();
    assertEquals(6, intermediate);
    assertEquals(intermediate, floatMatMuls, "MatMuls reading a float weight directly");

    InspectCommandTest.Result noTokenizer =
        InspectCommandTest.run(
            "quantize",
            in.toString(),
            "-o",
            dir.resolve("x.onnx").toString(),
            "--calib",
            "text:" + SharedData.require("data/stsbenchmark/sts-train.csv"));
    assertEquals(OctetCli.BAD_INPUT, noTokenizer.status());
    assertTrue(noTokenizer.err().contains("--tokenizer"), noTokenizer.err());
  }
}
