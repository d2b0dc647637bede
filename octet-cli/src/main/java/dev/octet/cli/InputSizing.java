package dev.octet.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options shared by commands that make random inputs: threads and the sizes of symbolic dimensions.
 */
final class InputSizing {
  @Option(names = "--threads", description = "intra-op threads (default: all cores)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--batch", defaultValue = "1", description = "batch size of random inputs")
  int batch;

  @Option(
      names = "--seq",
      defaultValue = "128",
      description = "sequence length of random integer (token) inputs")
  int seq;

  @Option(names = "--dim", paramLabel = "NAME=N", description = "value of a symbolic dimension")
  Map<String, Integer> dims = new LinkedHashMap<>();
}
