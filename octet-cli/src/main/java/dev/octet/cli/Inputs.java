package dev.octet.cli;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.io.Npy;
import dev.octet.core.onnx.TensorFiles;
import dev.octet.eval.bench.RandomInputs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Model inputs from --input NAME=FILE (.npy or TensorProto .pb) and seeded random fill-ins. */
final class Inputs {
  private Inputs() {}

  static Map<String, Tensor> load(
      Graph g, List<String> specs, Long seed, int batch, int seq, Map<String, Integer> dims) {
    Map<String, Tensor> given = new LinkedHashMap<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      if (eq <= 0) {
        throw new OctetException("--input '" + spec + "' must be NAME=FILE");
      }
      String name = spec.substring(0, eq);
      Path file = Path.of(spec.substring(eq + 1));
      Tensor t =
          file.toString().endsWith(".npy") ? Npy.read(file) : TensorFiles.read(file).tensor();
      given.put(name, t);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    boolean missing = g.realInputs().stream().anyMatch(v -> !given.containsKey(v.name()));
    if (missing) {
      if (seed == null) {
        throw new OctetException(
            "inputs "
                + g.realInputs().stream()
                    .map(v -> v.name())
                    .filter(n -> !given.containsKey(n))
                    .toList()
                + " are not given; pass --input NAME=FILE or --random SEED");
      }
      out.putAll(RandomInputs.of(g, seed, batch, seq, dims));
    }
    out.putAll(given);
    return out;
  }
}
