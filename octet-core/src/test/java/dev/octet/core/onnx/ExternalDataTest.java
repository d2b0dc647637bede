package dev.octet.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.core.proto.OnnxProto.ModelProto;
import dev.octet.core.proto.OnnxProto.StringStringEntryProto;
import dev.octet.core.proto.OnnxProto.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {

  /** y = x + w with w of 1000 floats. */
  static Model addModel() {
    float[] w = new float[1000];
    for (int i = 0; i < w.length; i++) {
      w[i] = i * 0.5f;
    }
    Graph g =
        new GraphEditor("add")
            .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 1000)))
            .addOutput(new ValueInfo("y", ValueType.tensor(DType.FLOAT, 1000)))
            .putInitializer("w", Tensor.wrap(w, 1000))
            .addNode(new Node("add", "Add", List.of("x", "w"), List.of("y"), Attributes.empty()))
            .freeze();
    return Model.of(g, 9, List.of(new OpsetImport("", 17)));
  }

  @Test
  void externalDataRoundTripsAndIsReadFromTheModelFolder(@TempDir Path dir) throws Exception {
    Model m = addModel();
    Path file = dir.resolve("m.onnx");
    OnnxModels.save(m, file, OnnxModels.SaveOptions.external("m.bin", 100));
    assertEquals(4000, Files.size(dir.resolve("m.bin")));
    Model back = OnnxModels.load(file);
    assertEquals(m, back);
    assertEquals(12.5f, back.graph().initializers().get("w").floats()[25]);
  }

  /** Writes a model whose tensor 'w' points at {@code location}. */
  private static Path hostile(Path dir, String location, String offset, String length)
      throws Exception {
    ModelProto.Builder p = ModelProto.parseFrom(OnnxModels.toBytes(addModel())).toBuilder();
    TensorProto.Builder t = p.getGraphBuilder().getInitializerBuilder(0);
    t.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL);
    t.addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
    if (offset != null) {
      t.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(offset));
    }
    if (length != null) {
      t.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(length));
    }
    Path file = dir.resolve("hostile.onnx");
    Files.write(file, p.build().toByteArray());
    return file;
  }

  @Test
  void locationsThatEscapeTheFolderAreRefused(@TempDir Path root) throws Exception {
    Path dir = Files.createDirectories(root.resolve("model"));
    Path secret = root.resolve("secret.bin");
    Files.write(secret, new byte[4000]);
    Files.createSymbolicLink(dir.resolve("link.bin"), secret);
    for (String loc :
        List.of("../secret.bin", secret.toString(), "sub/../../secret.bin", "link.bin")) {
      OctetException e =
          assertThrows(
              OctetException.class, () -> OnnxModels.load(hostile(dir, loc, null, null)), loc);
      assertTrue(
          e.getMessage().contains("'w'") && e.getMessage().contains("hostile.onnx"),
          e.getMessage());
    }
  }

  @Test
  void badOffsetsLengthsAndMissingFilesAreRefused(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("w.bin"), new byte[4000]);
    assertThrows(
        OctetException.class, () -> OnnxModels.load(hostile(dir, "missing.bin", null, null)));
    assertThrows(OctetException.class, () -> OnnxModels.load(hostile(dir, "w.bin", "100", null)));
    assertThrows(OctetException.class, () -> OnnxModels.load(hostile(dir, "w.bin", "-4", "4000")));
    assertThrows(OctetException.class, () -> OnnxModels.load(hostile(dir, "w.bin", "x", "4000")));
    assertThrows(
        OctetException.class, () -> OnnxModels.load(hostile(dir, "w.bin", "0", "99999999999")));
    byte[] fromBytes = Files.readAllBytes(hostile(dir, "w.bin", "0", "4000"));
    OctetException e = assertThrows(OctetException.class, () -> OnnxModels.load(fromBytes));
    assertTrue(e.getMessage().contains("file path"), e.getMessage());
    assertEquals(
        1000,
        OnnxModels.load(hostile(dir, "w.bin", "0", "4000")).graph().initializers().get("w").size());
  }

  @Test
  void failedSaveLeavesNoFileAndKeepsTheOldOne(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("out.onnx");
    Files.writeString(target, "previous");
    Model broken =
        new Model(
            9,
            List.of(new OpsetImport("", 17)),
            "",
            "",
            "",
            0,
            "",
            addModel().graph(),
            java.util.Map.of(),
            List.of(
                new dev.octet.core.graph.Opaque("FunctionProto", new byte[] {(byte) 0xFF, 1, 2})),
            List.of());
    assertThrows(OctetException.class, () -> OnnxModels.save(broken, target));
    assertEquals("previous", Files.readString(target));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(target), s.toList());
    }
    assertThrows(
        OctetException.class, () -> OnnxModels.save(addModel(), dir.resolve("no/such/dir/m.onnx")));
  }

  @Test
  void subByteAndSixteenBitTypesRoundTrip() {
    byte[] int4 = {-8, -1, 0, 7, 3};
    Tensor t4 = Tensor.wrap(DType.INT4, new int[] {5}, int4);
    short[] halves = {Float.floatToFloat16(1.5f), Float.floatToFloat16(-2f)};
    Tensor t16 = Tensor.wrap(DType.FLOAT16, new int[] {2}, halves);
    Graph g =
        new GraphEditor("types")
            .addOutput(new ValueInfo("a", null))
            .addOutput(new ValueInfo("b", null))
            .putInitializer("a", t4)
            .putInitializer("b", t16)
            .freeze();
    Model back =
        OnnxModels.load(OnnxModels.toBytes(Model.of(g, 10, List.of(new OpsetImport("", 21)))));
    assertArrayEquals(int4, back.graph().initializers().get("a").bytes());
    assertEquals(-2.0, back.graph().initializers().get("b").getDouble(1));
  }
}
