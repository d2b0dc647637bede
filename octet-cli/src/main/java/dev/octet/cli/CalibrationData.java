package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.eval.data.ImageFolder;
import dev.octet.eval.data.ImagePreprocess;
import dev.octet.eval.data.Mnist;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;

/**
 * Calibration samples named by a reader and a path: {@code mnist:PREFIX} (IDX files, e.g.
 * ../shared/data/mnist/train10k), {@code images:DIR[:caffe|imagenet]} (JPEG/PNG, 224x224 after
 * resize and centre crop). Images are decoded one at a time as calibration asks for them.
 */
record CalibrationData(String description, List<Map<String, Tensor>> samples, int available) {

  static CalibrationData open(String spec, Graph g, int limit) {
    int colon = spec.indexOf(':');
    if (colon <= 0) {
      throw new OctetException(
          "--calib '" + spec + "' must be READER:PATH with READER mnist or images");
    }
    String reader = spec.substring(0, colon);
    String rest = spec.substring(colon + 1);
    if (g.realInputs().size() != 1) {
      throw new OctetException(
          "the "
              + reader
              + " reader feeds models with one input; this one has "
              + g.realInputs().size());
    }
    String input = g.realInputs().get(0).name();
    switch (reader) {
      case "mnist" -> {
        Mnist m = Mnist.read(Path.of(rest), 0);
        int n = Math.min(limit, m.size());
        List<Map<String, Tensor>> s =
            new AbstractList<>() {
              public Map<String, Tensor> get(int i) {
                return Map.of(input, Tensor.wrap(m.images()[i], 1, 1, 28, 28));
              }

              public int size() {
                return n;
              }
            };
        return new CalibrationData("MNIST IDX " + rest + ", first " + n + " images", s, m.size());
      }
      case "images" -> {
        String[] parts = rest.split(":");
        ImagePreprocess pre =
            parts.length > 1 && parts[1].equals("caffe")
                ? ImagePreprocess.caffe()
                : ImagePreprocess.imagenet();
        ImageFolder f = ImageFolder.read(Path.of(parts[0]), null);
        int n = Math.min(limit, f.size());
        // spread the samples over the folder (its files are sorted by class)
        List<Map<String, Tensor>> s =
            new AbstractList<>() {
              public Map<String, Tensor> get(int i) {
                return Map.of(input, pre.load(f.files().get((int) ((long) i * f.size() / n))));
              }

              public int size() {
                return n;
              }
            };
        return new CalibrationData(
            "images "
                + parts[0]
                + " ("
                + (pre.bgr() ? "caffe" : "imagenet")
                + " preprocessing), "
                + n
                + " of "
                + f.size(),
            s,
            f.size());
      }
      default ->
          throw new OctetException(
              "unknown calibration reader '"
                  + reader
                  + "'; use mnist:PREFIX or images:DIR[:caffe|imagenet]");
    }
  }
}
