package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.octet.core.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quantize --report, eval and report on mnist-8 with real MNIST images. */
class EvalReportCommandTest {
  @Test
  void quantizeWithReportThenEvalAndReport(@TempDir Path dir) throws Exception {
    Path fp32 = SharedData.require("models/mnist-8.onnx");
    Path mnist = SharedData.require("data/mnist");
    Path int8 = dir.resolve("mnist-int8.onnx");
    Path qreport = dir.resolve("quantize-report.html");
    InspectCommandTest.Result q =
        InspectCommandTest.run(
            "quantize",
            fp32.toString(),
            "-o",
            int8.toString(),
            "--calib",
            "mnist:" + mnist.resolve("train10k"),
            "--samples",
            "200",
            "--report",
            qreport.toString());
    assertEquals(0, q.status(), q.err());
    String html = Files.readString(qreport);
    assertTrue(html.contains("new Chart") || html.contains("Chart"), "Chart.js is inlined");
    assertTrue(html.contains("Convolution28_Output_0"), "per-layer data is in the report");

    InspectCommandTest.Result e =
        InspectCommandTest.run(
            "eval",
            int8.toString(),
            "--data",
            "mnist:" + mnist.resolve("t10k"),
            "--samples",
            "500",
            "--reference",
            fp32.toString(),
            "--json");
    assertEquals(0, e.status(), e.err());
    JsonNode j = new ObjectMapper().readTree(e.out());
    assertEquals(500, j.get("samples").asInt());
    assertTrue(j.get("metrics").get("top1").asDouble() > 0.97, e.out());
    assertTrue(j.get("metrics").get("agreement").asDouble() > 0.97, e.out());
    assertTrue(j.get("latency").get("median_ms").asDouble() > 0, e.out());
    assertTrue(
        j.get("resident_weight_bytes").asLong() > 0
            && j.get("file_bytes").asLong() < Files.size(fp32),
        e.out());

    Path report = dir.resolve("report.html");
    InspectCommandTest.Result r =
        InspectCommandTest.run(
            "report",
            fp32.toString(),
            int8.toString(),
            "--data",
            "mnist:" + mnist.resolve("t10k"),
            "--samples",
            "300",
            "-o",
            report.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("top1") && r.out().contains("agreement"), r.out());
    assertTrue(Files.readString(report).contains("\"metric\":\"agreement\""));

    // unlabelled data, a report over a model: clear errors, nothing written
    Path bad = dir.resolve("bad.html");
    InspectCommandTest.Result noLabels =
        InspectCommandTest.run(
            "eval", fp32.toString(), "--data", "text:" + dir.resolve("none.csv"));
    assertEquals(OctetCli.BAD_INPUT, noLabels.status(), noLabels.err());
    assertTrue(noLabels.err().contains("--tokenizer"), noLabels.err());
    InspectCommandTest.Result overwrite =
        InspectCommandTest.run(
            "report",
            fp32.toString(),
            int8.toString(),
            "--data",
            "mnist:" + mnist.resolve("t10k"),
            "-o",
            int8.toString());
    assertEquals(OctetCli.BAD_INPUT, overwrite.status(), overwrite.err());
    assertFalse(Files.exists(bad));
  }
}
