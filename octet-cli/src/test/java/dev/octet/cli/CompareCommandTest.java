package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
  @Test
  void comparesAQuantizedMnistLayerByLayer(@TempDir Path dir) {
    String fp32 = SharedData.require("models/mnist-8.onnx").toString();
    String data = "mnist:" + SharedData.require("data/mnist").resolve("train10k");
    Path int8 = dir.resolve("q.onnx");
    assertEquals(
        0,
        InspectCommandTest.run(
                "quantize", fp32, "-o", int8.toString(), "--calib", data, "--samples", "50")
            .status());
    InspectCommandTest.Result r =
        InspectCommandTest.run(
            "compare", fp32, int8.toString(), "--data", data, "--samples", "5", "--top", "3");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("SQNR dB") && r.out().lines().count() == 5, r.out());
  }
}
