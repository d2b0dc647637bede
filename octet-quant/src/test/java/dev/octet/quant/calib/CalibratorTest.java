package dev.octet.quant.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Calibration of mnist-8 on real MNIST training images. */
class CalibratorTest {
  /** The first n images of an IDX file as [1, 1, 28, 28] inputs (0..255). */
  static List<Map<String, Tensor>> mnist(Path images, int n) throws IOException {
    List<Map<String, Tensor>> out = new ArrayList<>();
    try (DataInputStream in =
        new DataInputStream(new GZIPInputStream(Files.newInputStream(images)))) {
      in.readInt();
      in.readInt();
      in.readInt();
      in.readInt();
      byte[] buf = new byte[784];
      for (int i = 0; i < n; i++) {
        in.readFully(buf);
        float[] x = new float[784];
        for (int j = 0; j < 784; j++) {
          x[j] = buf[j] & 0xFF;
        }
        out.add(Map.of("Input3", Tensor.wrap(x, 1, 1, 28, 28)));
      }
    }
    return out;
  }

  @Test
  void histogramsOfEveryActivationStreamAndMergeAcrossHalves() throws IOException {
    Model model = OnnxModels.load(SharedData.require("models/mnist-8.onnx"));
    List<Map<String, Tensor>> data =
        mnist(SharedData.require("data/mnist/train10k-images-idx3-ubyte.gz"), 200);
    int[] seen = {0};
    Map<String, Histogram> all = new Calibrator(model, null, 2).run(data, n -> seen[0] = n);
    assertEquals(200, seen[0]);
    // the input and one histogram per float node output (mnist-8: 12 nodes)
    assertTrue(all.containsKey("Input3"));
    assertEquals(0f, all.get("Input3").min());
    assertEquals(255f, all.get("Input3").max());
    assertTrue(all.size() >= 12, all.keySet().toString());
    // calibrating the two halves apart and merging gives the same statistics
    Map<String, Histogram> first = new Calibrator(model, null, 1).run(data.subList(0, 100), null);
    Map<String, Histogram> second =
        new Calibrator(model, null, 1).run(data.subList(100, 200), null);
    for (String name : all.keySet()) {
      Histogram merged = first.get(name).copy();
      merged.merge(second.get(name));
      assertEquals(all.get(name), merged, name);
    }
    assertThrows(OctetException.class, () -> new Calibrator(model, null, 1).run(List.of(), null));
  }
}
