package dev.octet.core.onnx;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.octet.core.OctetException;
import dev.octet.core.proto.OnnxProto.AttributeProto;
import dev.octet.core.proto.OnnxProto.GraphProto;
import dev.octet.core.proto.OnnxProto.ModelProto;
import dev.octet.core.proto.OnnxProto.NodeProto;
import dev.octet.core.proto.OnnxProto.StringStringEntryProto;
import dev.octet.core.proto.OnnxProto.TensorProto;
import dev.octet.core.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real models, corrupted 2,400 ways with a fixed seed (bit flips, truncation, overwrites, and
 * targeted field corruption): loading either succeeds or throws an OctetException with a message.
 * Nothing else may escape: no OutOfMemoryError, no NegativeArraySizeException, no hang.
 */
class MutationTest {
  private static final int CASES = 2400;

  @Test
  void corruptedModelsFailCleanly(@TempDir Path dir) throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(Files.readAllBytes(SharedData.require("models/mnist-8.onnx")));
    for (String t :
        List.of(
            "test_if",
            "test_loop11",
            "test_scan9_sum",
            "test_dequantizelinear_axis",
            "test_conv_with_strides_padding",
            "test_cast_FLOAT_to_FLOAT16",
            "test_quantizelinear_int4",
            "test_constant")) {
      seeds.add(Files.readAllBytes(SharedData.require("onnx-backend/node/" + t + "/model.onnx")));
    }
    byte[] squeezenet = Files.readAllBytes(SharedData.require("models/squeezenet1.0-fp16.onnx"));
    Files.write(dir.resolve("weights.bin"), new byte[4096]);
    Path outside = Files.createTempFile("octet-outside", ".bin");
    Files.createSymbolicLink(dir.resolve("escape.bin"), outside);

    Random rnd = new Random(20261122L);
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    List<String> escaped = new ArrayList<>();
    assertTimeoutPreemptively(
        Duration.ofMinutes(4),
        () -> {
          for (int i = 0; i < CASES; i++) {
            byte[] base = i % 20 == 0 ? squeezenet : seeds.get(rnd.nextInt(seeds.size()));
            int kind = rnd.nextInt(6);
            byte[] mutated =
                switch (kind) {
                  case 0 -> flipBits(base, rnd);
                  case 1 -> java.util.Arrays.copyOf(base, rnd.nextInt(base.length));
                  case 2 -> overwrite(base, rnd);
                  case 3 -> splice(base, rnd);
                  default -> corruptField(base, rnd);
                };
            Path file = dir.resolve("case.onnx");
            Files.write(file, mutated);
            try {
              OnnxModels.load(file);
              outcomes.merge("loaded", 1, Integer::sum);
            } catch (OctetException e) {
              if (e.getMessage() == null
                  || e.getMessage().isBlank()
                  || e.getMessage().contains("ran out of memory")) {
                escaped.add("case " + i + " kind " + kind + ": bad message " + e.getMessage());
              }
              outcomes.merge("rejected", 1, Integer::sum);
            } catch (Throwable t) {
              escaped.add("case " + i + " kind " + kind + ": " + t);
            }
          }
        });
    Files.deleteIfExists(outside);
    if (!escaped.isEmpty()) {
      fail(
          escaped.size()
              + " cases escaped:\n"
              + String.join("\n", escaped.subList(0, Math.min(20, escaped.size()))));
    }
    int rejected = outcomes.getOrDefault("rejected", 0);
    assertTrue(rejected > CASES / 3, "mutations should mostly be rejected: " + outcomes);
  }

  private static byte[] flipBits(byte[] base, Random rnd) {
    byte[] b = base.clone();
    int flips = 1 + rnd.nextInt(16);
    for (int k = 0; k < flips; k++) {
      int pos = rnd.nextInt(b.length);
      b[pos] ^= (byte) (1 << rnd.nextInt(8));
    }
    return b;
  }

  private static byte[] overwrite(byte[] base, Random rnd) {
    byte[] b = base.clone();
    int start = rnd.nextInt(b.length);
    int len = Math.min(b.length - start, 1 + rnd.nextInt(64));
    for (int k = 0; k < len; k++) {
      b[start + k] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  private static byte[] splice(byte[] base, Random rnd) {
    int at = rnd.nextInt(base.length);
    int len = 1 + rnd.nextInt(32);
    if (rnd.nextBoolean()) {
      byte[] ins = new byte[len];
      rnd.nextBytes(ins);
      byte[] b = new byte[base.length + len];
      System.arraycopy(base, 0, b, 0, at);
      System.arraycopy(ins, 0, b, at, len);
      System.arraycopy(base, at, b, at + len, base.length - at);
      return b;
    }
    int cut = Math.min(len, base.length - at);
    byte[] b = new byte[base.length - cut];
    System.arraycopy(base, 0, b, 0, at);
    System.arraycopy(base, at + cut, b, at, base.length - at - cut);
    return b;
  }

  /** Targeted corruption of fields that a parser must validate. */
  private static byte[] corruptField(byte[] base, Random rnd) throws Exception {
    ModelProto.Builder m = ModelProto.parseFrom(base).toBuilder();
    GraphProto.Builder g = m.getGraphBuilder();
    int what = rnd.nextInt(12);
    if (g.getInitializerCount() > 0 && what < 6) {
      TensorProto.Builder t = g.getInitializerBuilder(rnd.nextInt(g.getInitializerCount()));
      switch (what) {
        case 0 -> {
          t.clearDims();
          long[] absurd = {-1, 0, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, 3, 1 << 20};
          int rank = 1 + rnd.nextInt(4);
          for (int k = 0; k < rank; k++) {
            t.addDims(absurd[rnd.nextInt(absurd.length)]);
          }
        }
        case 1 -> t.setDataType(rnd.nextInt(40) - 5);
        case 2 -> t.clearRawData();
        case 3 -> {
          ByteString raw = t.getRawData();
          int cut = Math.min(raw.size(), 1 + rnd.nextInt(16));
          t.setRawData(
              rnd.nextBoolean()
                  ? raw.substring(0, raw.size() - cut)
                  : raw.concat(ByteString.copyFrom(new byte[cut])));
        }
        case 4 -> {
          String[] locations = {
            "../weights.bin",
            "/etc/passwd",
            "sub/../../x",
            "escape.bin",
            "weights.bin",
            "",
            "missing.bin",
            "a\u0000b"
          };
          String[] numbers = {"0", "-5", "abc", "99999999999", "4096", "64", "1"};
          t.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL);
          t.addExternalData(entry("location", locations[rnd.nextInt(locations.length)]));
          t.addExternalData(entry("offset", numbers[rnd.nextInt(numbers.length)]));
          if (rnd.nextBoolean()) {
            t.addExternalData(entry("length", numbers[rnd.nextInt(numbers.length)]));
          }
        }
        default -> t.clearName();
      }
    } else if (g.getNodeCount() > 0) {
      NodeProto.Builder n = g.getNodeBuilder(rnd.nextInt(g.getNodeCount()));
      switch (what % 6) {
        case 0 -> n.addInput("no_such_value_" + rnd.nextInt(100));
        case 1 -> n.setOutput(0, g.getNode(0).getOutput(0));
        case 2 ->
            n.addAttribute(
                AttributeProto.newBuilder()
                    .setName("bad")
                    .setType(AttributeProto.AttributeType.GRAPH));
        case 3 -> n.clearOpType();
        case 4 -> g.getOutputBuilder(0).setName("not_produced");
        default -> {
          if (g.getNodeCount() > 1) {
            NodeProto first = g.getNode(0);
            g.setNode(0, g.getNode(g.getNodeCount() - 1)).setNode(g.getNodeCount() - 1, first);
          }
          g.getNodeBuilder(0).addInput(g.getNode(g.getNodeCount() - 1).getOutput(0));
        }
      }
    }
    return m.build().toByteArray();
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }
}
