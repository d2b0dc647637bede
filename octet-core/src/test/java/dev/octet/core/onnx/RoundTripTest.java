package dev.octet.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.octet.core.graph.Model;
import dev.octet.core.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** load -> save -> load gives an equal model, for every model in ../shared and for MiniLM. */
class RoundTripTest {

  static List<Path> sharedModels() throws IOException {
    Path root = SharedData.require("onnx-backend");
    List<Path> models = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(p -> p.getFileName().toString().equals("model.onnx")).sorted().forEach(models::add);
    }
    try (Stream<Path> s = Files.list(SharedData.require("models"))) {
      s.filter(p -> p.toString().endsWith(".onnx")).sorted().forEach(models::add);
    }
    return models;
  }

  @Test
  void everySharedModelRoundTripsInMemory() throws IOException {
    List<Path> models = sharedModels();
    assertTrue(models.size() > 1700, "expected the ONNX backend suite, found " + models.size());
    List<String> failures = new ArrayList<>();
    for (Path p : models) {
      try {
        Model m1 = OnnxModels.load(p);
        Model m2 = OnnxModels.load(OnnxModels.toBytes(m1));
        if (!m1.equals(m2)) {
          failures.add(p + ": not equal after round trip");
        }
      } catch (RuntimeException e) {
        failures.add(p + ": " + e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      fail(
          failures.size()
              + " of "
              + models.size()
              + " failed:\n"
              + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
    }
  }

  @Test
  void realModelsRoundTripThroughFiles(@TempDir Path dir) {
    for (Path p :
        List.of(
            SharedData.require("models/mnist-8.onnx"),
            SharedData.require("models/squeezenet1.0-fp16.onnx"))) {
      Model m1 = OnnxModels.load(p);
      Path out = dir.resolve(p.getFileName());
      OnnxModels.save(m1, out);
      assertEquals(m1, OnnxModels.load(out), p.toString());
    }
  }

  @Test
  void miniLmRoundTripsInlineAndWithExternalData(@TempDir Path dir) {
    Path minilm = SharedData.resource("all-minilm-l6-v2.onnx");
    Model m1 = OnnxModels.load(minilm);
    Path inline = dir.resolve("inline.onnx");
    OnnxModels.save(m1, inline);
    assertEquals(m1, OnnxModels.load(inline));

    Path ext = dir.resolve("ext.onnx");
    OnnxModels.save(m1, ext, OnnxModels.SaveOptions.external("ext.onnx.data", 1024));
    assertTrue(Files.exists(dir.resolve("ext.onnx.data")));
    Model m3 = OnnxModels.load(ext);
    assertEquals(m1, m3);
  }
}
