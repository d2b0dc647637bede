package dev.octet.runtime;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Dim;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a run's inputs against the graph's declared inputs, with messages that say what to fix.
 */
final class InputCheck {
  private InputCheck() {}

  /** The declared inputs and their types, for messages (built only when a check fails). */
  private static String expected(List<ValueInfo> declared) {
    return declared.stream()
        .map(v -> v.name() + ": " + (v.type() == null ? "?" : v.type()))
        .collect(Collectors.joining(", "));
  }

  static void check(Graph g, Map<String, Tensor> inputs) {
    List<ValueInfo> declared = g.realInputs();
    for (String name : inputs.keySet()) {
      if (declared.stream().noneMatch(v -> v.name().equals(name))) {
        throw new OctetException(
            "unknown input '" + name + "'; the model's inputs are " + expected(declared));
      }
    }
    for (ValueInfo v : declared) {
      Tensor t = inputs.get(v.name());
      if (t == null) {
        throw new OctetException(
            "missing input '" + v.name() + "'; the model's inputs are " + expected(declared));
      }
      ValueType.TensorType type = v.tensorType();
      if (type == null) {
        continue;
      }
      if (type.elemType() != t.dtype()) {
        throw new OctetException(
            "input '"
                + v.name()
                + "' is "
                + t.dtype().onnxName()
                + " but the model declares "
                + type);
      }
      if (type.shape() == null) {
        continue;
      }
      if (type.shape().size() != t.rank()) {
        throw new OctetException(
            "input '"
                + v.name()
                + "' has shape "
                + Arrays.toString(t.shape())
                + " (rank "
                + t.rank()
                + ") but the model declares "
                + type
                + " (rank "
                + type.shape().size()
                + ")");
      }
      for (int i = 0; i < t.rank(); i++) {
        if (type.shape().get(i) instanceof Dim.Fixed f && f.value() != t.dim(i) && f.value() > 0) {
          throw new OctetException(
              "input '"
                  + v.name()
                  + "' has shape "
                  + Arrays.toString(t.shape())
                  + " but the model declares "
                  + type
                  + " (dimension "
                  + i
                  + " must be "
                  + f.value()
                  + ")");
        }
      }
    }
  }
}
