package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.eval.data.ImageFolder;
import dev.octet.eval.data.ImagePreprocess;
import dev.octet.eval.data.Mnist;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Calibration samples named by a reader and a path: {@code mnist:PREFIX} (IDX files, e.g.
 * ../shared/data/mnist/train10k), {@code images:DIR[:caffe|imagenet]} (JPEG/PNG, 224x224 after
 * resize and centre crop), {@code text:FILE} (one sentence per line, or an STS .csv whose sentence
 * columns are read; tokenized with a HuggingFace tokenizer.json). Samples are decoded one at a time
 * as calibration asks for them, spread evenly over the data.
 */
record CalibrationData(
    String description, List<Map<String, Tensor>> samples, int available, int[] labels) {
  static final String READERS = "mnist:PREFIX, images:DIR[:caffe|imagenet] or text:FILE";

  static CalibrationData open(String spec, Graph g, int limit, Path tokenizer) {
    int colon = spec.indexOf(':');
    if (colon <= 0) {
      throw new OctetException("--calib '" + spec + "' must be one of " + READERS);
    }
    String reader = spec.substring(0, colon);
    String rest = spec.substring(colon + 1);
    if (reader.equals("text")) {
      return text(Path.of(rest), g, limit, tokenizer);
    }
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
        return new CalibrationData(
            "MNIST IDX " + rest + ", first " + n + " images",
            s,
            m.size(),
            java.util.Arrays.copyOf(m.labels(), n));
      }
      case "images" -> {
        String[] parts = rest.split(":");
        ImagePreprocess pre =
            parts.length > 1 && parts[1].equals("caffe")
                ? ImagePreprocess.caffe()
                : ImagePreprocess.imagenet();
        Path dir = Path.of(parts[0]);
        // labels from a synset list beside the folder (file names start with the WordNet id)
        Path synsets = dir.toAbsolutePath().resolveSibling("synset.txt");
        ImageFolder f = ImageFolder.read(dir, Files.isRegularFile(synsets) ? synsets : null);
        int n = Math.min(limit, f.size());
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
          labels[i] = f.labels()[(int) ((long) i * f.size() / n)];
        }
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
            f.size(),
            labels);
      }
      default ->
          throw new OctetException("unknown calibration reader '" + reader + "'; use " + READERS);
    }
  }

  private static CalibrationData text(Path file, Graph g, int limit, Path tokenizer) {
    if (tokenizer == null) {
      throw new OctetException(
          "the text reader needs --tokenizer FILE (the model's HuggingFace tokenizer.json)");
    }
    List<String> sentences;
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    if (name.endsWith(".csv") || name.endsWith(".tsv")) {
      sentences = StsBenchmark.read(file).sentences();
    } else {
      try {
        sentences =
            Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
      } catch (IOException e) {
        throw new OctetException(file + ": cannot read: " + e.getMessage(), e);
      }
    }
    if (sentences.isEmpty()) {
      throw new OctetException(file + ": no sentences (expected one per line)");
    }
    TextEncoder enc = TextEncoder.open(tokenizer, 128);
    Set<String> wanted = new LinkedHashSet<>();
    g.realInputs().forEach(v -> wanted.add(v.name()));
    Map<String, Tensor> probe = enc.encode(List.of(sentences.get(0)));
    for (String in : wanted) {
      if (!probe.containsKey(in)) {
        enc.close();
        throw new OctetException(
            "the model's input '"
                + in
                + "' is not a tokenizer output; the text reader gives "
                + probe.keySet());
      }
    }
    int n = Math.min(limit, sentences.size());
    List<String> chosen = sentences;
    List<Map<String, Tensor>> s =
        new AbstractList<>() {
          public Map<String, Tensor> get(int i) {
            Map<String, Tensor> all =
                enc.encode(List.of(chosen.get((int) ((long) i * chosen.size() / n))));
            all.keySet().retainAll(wanted);
            return all;
          }

          public int size() {
            return n;
          }
        };
    return new CalibrationData(
        "sentences "
            + file
            + " ("
            + n
            + " of "
            + sentences.size()
            + ", tokenizer "
            + tokenizer
            + ")",
        s,
        sentences.size(),
        null);
  }
}
