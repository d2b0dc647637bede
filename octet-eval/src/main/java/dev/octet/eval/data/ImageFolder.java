package dev.octet.eval.data;

import dev.octet.core.OctetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of JPEG/PNG images in name order. When a synset file is given, an image's label is the
 * class index of the WordNet id its file name starts with ({@code n01440764_tench.JPEG}), else -1.
 */
public record ImageFolder(List<Path> files, int[] labels) {

  public static ImageFolder read(Path dir, Path synsets) {
    if (!Files.isDirectory(dir)) {
      throw new OctetException(dir + ": not a folder of images");
    }
    Map<String, Integer> classes = synsets == null ? Map.of() : synsetIndex(synsets);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(
              p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".jpeg") || n.endsWith(".jpg") || n.endsWith(".png");
              })
          .sorted()
          .forEach(files::add);
    } catch (IOException e) {
      throw new OctetException(dir + ": cannot list: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new OctetException(dir + ": no .jpg, .jpeg or .png images");
    }
    int[] labels = new int[files.size()];
    for (int i = 0; i < labels.length; i++) {
      String n = files.get(i).getFileName().toString();
      int us = n.indexOf('_');
      labels[i] = classes.getOrDefault(us > 0 ? n.substring(0, us) : n, -1);
    }
    return new ImageFolder(List.copyOf(files), labels);
  }

  /** Line number (from 0) of each WordNet id in a synset list ("n01440764 tench, Tinca tinca"). */
  public static Map<String, Integer> synsetIndex(Path synsets) {
    try {
      List<String> lines = Files.readAllLines(synsets);
      Map<String, Integer> out = new HashMap<>();
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i).strip();
        if (!l.isEmpty()) {
          out.put(l.split("\\s+", 2)[0], i);
        }
      }
      return out;
    } catch (IOException e) {
      throw new OctetException(synsets + ": cannot read synsets: " + e.getMessage(), e);
    }
  }

  public int size() {
    return files.size();
  }
}
