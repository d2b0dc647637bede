package dev.octet.core.graph;

import java.util.Objects;

/** A named value with its declared type ({@code type} is null when the model declares none). */
public record ValueInfo(String name, ValueType type, String docString) {
  public ValueInfo {
    Objects.requireNonNull(name, "name");
    docString = docString == null ? "" : docString;
  }

  public ValueInfo(String name, ValueType type) {
    this(name, type, "");
  }

  /** The tensor type, or null when the value is not declared as a tensor. */
  public ValueType.TensorType tensorType() {
    return type instanceof ValueType.TensorType t ? t : null;
  }
}
