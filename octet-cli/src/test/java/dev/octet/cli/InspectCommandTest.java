package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.octet.core.testing.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = OctetCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void squeezeNetShowsItsConvsFp16InterfaceAndParameterCount() {
    Path model = SharedData.require("models/squeezenet1.0-fp16.onnx");
    Result r = run("inspect", model.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().matches("(?s).*Conv\\s+26\\R.*"), r.out());
    assertTrue(r.out().contains("data_0") && r.out().contains("float16 [1, 3, 224, 224]"), r.out());
    assertTrue(r.out().contains("softmaxout_1") && r.out().contains("float16 [1, 1000, 1, 1]"));
    assertTrue(r.out().contains("parameters: 1,235,496"), r.out());
    assertTrue(r.out().contains("quantized:  no"), r.out());
  }

  @Test
  void jsonParsesAndCarriesTheSameFacts() throws Exception {
    Path model = SharedData.require("models/squeezenet1.0-fp16.onnx");
    Result r = run("inspect", model.toString(), "--json");
    assertEquals(0, r.status(), r.err());
    JsonNode s = new ObjectMapper().readTree(r.out()).get("summary");
    assertEquals(26, s.get("opTypes").get("Conv").asInt());
    assertEquals(1_235_496, s.get("parameterCount").asLong());
    assertEquals("float16", s.get("inputs").get(0).get("type").asText());
    assertEquals(224, s.get("inputs").get(0).get("shape").get(3).asInt());
    assertFalse(s.get("quantized").asBoolean());
  }

  @Test
  void symbolicDimensionsAreShownByName() {
    Path minilm = SharedData.resource("all-minilm-l6-v2.onnx");
    Result r = run("inspect", minilm.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains("input_ids") && r.out().contains("int64 [batch_size, sequence_length]"),
        r.out());
  }

  @Test
  void planShowsIntegerKernelsAndResidentBytes(@TempDir Path dir) {
    Path fp32 = SharedData.require("models/mnist-8.onnx");
    Path int8 = dir.resolve("mnist-int8.onnx");
    String data = "mnist:" + SharedData.require("data/mnist").resolve("train10k");
    Result q =
        run("quantize", fp32.toString(), "-o", int8.toString(), "--calib", data, "--samples", "50");
    assertEquals(0, q.status(), q.err());
    Result r = run("inspect", int8.toString(), "--plan");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().matches("(?s).*plan: .* bytes resident.*"), r.out());
    assertTrue(r.out().contains("-> QLinearConv"), r.out());
    assertTrue(r.out().contains("-> QLinearMatMul"), r.out());
    assertTrue(r.out().contains("(Add): its output is not quantized"), r.out());
    Result f = run("inspect", fp32.toString(), "--plan");
    assertTrue(f.out().contains("integer:    0 Q/DQ group(s)"), f.out());
  }

  @Test
  void badInputGivesOneLineAndStatusTwo(@TempDir Path dir) throws Exception {
    Path random = dir.resolve("random.onnx");
    byte[] junk = new byte[4096];
    new Random(7).nextBytes(junk);
    Files.write(random, junk);
    for (String path :
        new String[] {random.toString(), dir.toString(), dir.resolve("missing.onnx").toString()}) {
      Result r = run("inspect", path);
      assertEquals(OctetCli.BAD_INPUT, r.status(), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().startsWith("octet: ") && r.err().contains(path), r.err());
    }
  }
}
