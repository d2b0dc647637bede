package dev.octet.core.graph;

import dev.octet.core.DType;
import java.util.List;
import java.util.stream.Collectors;

/** The declared type of a value (ONNX TypeProto): a tensor, or a sequence, map or optional. */
public sealed interface ValueType {

  /** A tensor; {@code shape} is null when the rank is unknown. */
  record TensorType(DType elemType, List<Dim> shape) implements ValueType {
    public TensorType {
      shape = shape == null ? null : List.copyOf(shape);
    }

    @Override
    public String toString() {
      String dims =
          shape == null
              ? "?"
              : shape.stream().map(Object::toString).collect(Collectors.joining(",", "[", "]"));
      return elemType.onnxName() + dims;
    }
  }

  record SparseTensorType(DType elemType, List<Dim> shape) implements ValueType {
    public SparseTensorType {
      shape = shape == null ? null : List.copyOf(shape);
    }
  }

  record SequenceType(ValueType elemType) implements ValueType {
    @Override
    public String toString() {
      return "seq(" + elemType + ")";
    }
  }

  record MapType(DType keyType, ValueType valueType) implements ValueType {
    @Override
    public String toString() {
      return "map(" + keyType.onnxName() + "," + valueType + ")";
    }
  }

  record OptionalType(ValueType elemType) implements ValueType {
    @Override
    public String toString() {
      return "optional(" + elemType + ")";
    }
  }

  record OpaqueType(String domain, String name) implements ValueType {}

  /** A tensor type with fixed dimensions. */
  static TensorType tensor(DType elemType, long... dims) {
    return new TensorType(elemType, java.util.Arrays.stream(dims).mapToObj(Dim::of).toList());
  }
}
