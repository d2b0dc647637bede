package dev.octet.core.graph;

import java.util.Arrays;

/**
 * A part of a model that Octet carries through unchanged without interpreting it (functions,
 * training information, sparse tensors): its kind and its serialized protobuf bytes.
 */
public record Opaque(String kind, byte[] bytes) {
  public Opaque {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Opaque other
        && other.kind.equals(kind)
        && Arrays.equals(other.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return 31 * kind.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Opaque(" + kind + ", " + bytes.length + " bytes)";
  }
}
