package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.graph.ModelSummary;
import dev.octet.core.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, as a user runs it (it needs nothing from ../shared). */
class DemoCommandTest {
  @Test
  void demoQuantizesMiniLmAndReportsQualitySizeAndSpeed(@TempDir Path dir) throws Exception {
    InspectCommandTest.Result r =
        InspectCommandTest.run("demo", "--out", dir.toString(), "--threads", "2");
    assertEquals(0, r.status(), r.err());
    Matcher m =
        Pattern.compile(
                "cosine to FP32 mean ([0-9.]+), min ([0-9.]+); nearest neighbour unchanged for ([0-9.]+)%")
            .matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Double.parseDouble(m.group(1)) > 0.98, r.out());
    assertTrue(Double.parseDouble(m.group(3)) > 85, r.out());
    for (String row : new String[] {"octet  FP32", "octet  INT8", "ort    FP32", "ort    INT8"}) {
      assertTrue(r.out().contains(row), row + " missing:\n" + r.out());
    }
    Path model = dir.resolve("all-minilm-l6-v2-int8.onnx");
    assertTrue(ModelSummary.of(OnnxModels.load(model)).quantized());
    assertTrue(Files.readString(dir.resolve("report.html")).contains("all-MiniLM-L6-v2"));
  }
}
