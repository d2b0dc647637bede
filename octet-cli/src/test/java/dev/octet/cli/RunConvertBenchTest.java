package dev.octet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.io.Npy;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConvertBenchTest {
  @Test
  void runPrintsOutputsAndWritesNpyInBothEngines(@TempDir Path dir) {
    String mnist = SharedData.require("models/mnist-8.onnx").toString();
    InspectCommandTest.Result octet =
        InspectCommandTest.run("run", mnist, "--random", "1", "--out", dir.toString());
    assertEquals(0, octet.status(), octet.err());
    assertTrue(
        octet.out().contains("Plus214_Output_0") && octet.out().contains("float[1, 10]"),
        octet.out());
    Tensor out = Npy.read(dir.resolve("Plus214_Output_0.npy"));
    assertArrayEquals(new int[] {1, 10}, out.shape());
    InspectCommandTest.Result ort =
        InspectCommandTest.run("run", mnist, "--random", "1", "--engine", "ort");
    assertEquals(0, ort.status(), ort.err());
    String sumOctet =
        octet.out().lines().filter(l -> l.startsWith("Plus214")).findFirst().orElseThrow();
    String sumOrt =
        ort.out().lines().filter(l -> l.startsWith("Plus214")).findFirst().orElseThrow();
    assertEquals(
        sumOrt.substring(0, sumOrt.indexOf("sum|x|")),
        sumOctet.substring(0, sumOctet.indexOf("sum|x|")));
  }

  @Test
  void runWithoutInputsSaysWhichAreMissing() {
    InspectCommandTest.Result r =
        InspectCommandTest.run("run", SharedData.require("models/mnist-8.onnx").toString());
    assertEquals(OctetCli.BAD_INPUT, r.status());
    assertTrue(r.err().contains("Input3") && r.err().contains("--random"), r.err());
  }

  @Test
  void convertWritesFloat32AndRefusesToOverwriteItsInput(@TempDir Path dir) throws Exception {
    Path in = SharedData.require("models/squeezenet1.0-fp16.onnx");
    Path out = dir.resolve("fp32.onnx");
    InspectCommandTest.Result r =
        InspectCommandTest.run("convert", "--to", "fp32", in.toString(), out.toString());
    assertEquals(0, r.status(), r.err());
    Model m = OnnxModels.load(out);
    assertEquals(DType.FLOAT, m.graph().realInputs().get(0).tensorType().elemType());
    assertTrue(m.graph().initializers().values().stream().allMatch(t -> t.dtype() == DType.FLOAT));
    byte[] before = Files.readAllBytes(out);
    InspectCommandTest.Result same =
        InspectCommandTest.run("convert", "--to", "fp32", out.toString(), out.toString());
    assertEquals(OctetCli.BAD_INPUT, same.status());
    assertArrayEquals(before, Files.readAllBytes(out));
  }

  /** {@code octet bench} on the shared mnist-8 with these options. */
  private static InspectCommandTest.Result benchMnist(String... options) {
    // a quick look: these tests check the options and the output, not the times
    String[] args = new String[options.length + 3];
    args[0] = "bench";
    args[1] = SharedData.require("models/mnist-8.onnx").toString();
    args[2] = "--no-jit-wait";
    System.arraycopy(options, 0, args, 3, options.length);
    return InspectCommandTest.run(args);
  }

  @Test
  void benchComparesBothEngines() {
    InspectCommandTest.Result r =
        benchMnist("--warmup", "2", "--iterations", "5", "--threads", "1");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains("octet") && r.out().contains("ort") && r.out().contains("ratio"), r.out());
    assertTrue(r.out().contains("interleaved\n"), "one thread: strict alternation\n" + r.out());
    assertTrue(r.out().contains("not waiting for the JIT compiler"), r.out());
    assertTrue(r.out().contains("JIT compiler during the timed runs: "), r.out());
    // the last row against itself, round by round, and the rounds counted: 5 of one run each
    assertTrue(
        r.out().matches("(?s).*\\nort +[0-9. ]+ 1\\.000 +1\\.000 \\(1\\.000-1\\.000\\)\\n.*"),
        r.out());
    assertTrue(r.out().contains("median over the 5 rounds"), r.out());
  }

  @Test
  void benchWritesEveryTimedRunWhenAsked(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("times.csv");
    InspectCommandTest.Result r =
        benchMnist(
            "--warmup", "2", "--iterations", "7", "--threads", "1", "--times", csv.toString());
    assertEquals(0, r.status(), r.err());
    java.util.List<String> lines = Files.readAllLines(csv);
    assertEquals("run,octet,ort", lines.get(0));
    assertEquals(8, lines.size(), String.join("\n", lines));
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      assertEquals(String.valueOf(i - 1), f[0]);
      assertTrue(Double.parseDouble(f[1]) > 0 && Double.parseDouble(f[2]) > 0, lines.get(i));
    }
    // a folder that does not exist: a clear error, and nothing written
    InspectCommandTest.Result bad =
        benchMnist(
            "--warmup",
            "0",
            "--iterations",
            "1",
            "--times",
            dir.resolve("no/such/times.csv").toString());
    assertEquals(OctetCli.BAD_INPUT, bad.status(), bad.err());
    assertTrue(bad.err().contains("does not exist"), bad.err());
  }

  @Test
  void benchOnSeveralThreadsTakesTurnsAfterSettlingUnlessToldOtherwise() {
    InspectCommandTest.Result r =
        benchMnist("--warmup", "2", "--iterations", "5", "--threads", "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains("in blocks of 10, each turn after 100 ms of untimed runs"), r.out());
    InspectCommandTest.Result s =
        benchMnist(
            "--warmup",
            "2",
            "--iterations",
            "5",
            "--threads",
            "2",
            "--block",
            "1",
            "--settle",
            "0");
    assertEquals(0, s.status(), s.err());
    assertTrue(s.out().contains("interleaved\n"), s.out());
  }

  @Test
  void benchRejectsTurnsOfNoRunsAndNegativeSettling() {
    InspectCommandTest.Result r = benchMnist("--block", "0");
    assertEquals(OctetCli.BAD_INPUT, r.status());
    assertTrue(r.err().contains("--block must be at least 1"), r.err());
    InspectCommandTest.Result s = benchMnist("--settle", "-5");
    assertEquals(OctetCli.BAD_INPUT, s.status());
    assertTrue(s.err().contains("--settle at least 0"), s.err());
  }
}
