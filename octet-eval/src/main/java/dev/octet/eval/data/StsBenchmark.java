package dev.octet.eval.data;

import dev.octet.core.OctetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The STS benchmark's tab-separated files: column 5 is the gold similarity 0..5, columns 6 and 7
 * the two sentences; rows may carry extra columns after them.
 */
public record StsBenchmark(List<Pair> pairs) {
  /** Two sentences and their gold similarity. */
  public record Pair(String first, String second, double score) {}

  public static StsBenchmark read(Path file) {
    List<Pair> pairs = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] cols = line.split("\t");
        if (cols.length < 7) {
          continue;
        }
        try {
          pairs.add(new Pair(cols[5], cols[6], Double.parseDouble(cols[4])));
        } catch (NumberFormatException e) {
          // a header or a malformed row: not a pair
        }
      }
    } catch (IOException e) {
      throw new OctetException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (pairs.isEmpty()) {
      throw new OctetException(
          file + ": no STS pairs (expected tab-separated rows with the score in column 5)");
    }
    return new StsBenchmark(List.copyOf(pairs));
  }

  /** Every sentence, first then second of each pair, in order. */
  public List<String> sentences() {
    List<String> out = new ArrayList<>();
    for (Pair p : pairs) {
      out.add(p.first());
      out.add(p.second());
    }
    return out;
  }
}
