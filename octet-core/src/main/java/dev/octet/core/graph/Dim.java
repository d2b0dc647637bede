package dev.octet.core.graph;

/** One dimension of a declared shape: a number, a symbolic name such as "batch", or unknown. */
public sealed interface Dim {
  record Fixed(long value) implements Dim {
    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  record Symbolic(String name) implements Dim {
    @Override
    public String toString() {
      return name;
    }
  }

  record Unknown() implements Dim {
    @Override
    public String toString() {
      return "?";
    }
  }

  static Dim of(long value) {
    return new Fixed(value);
  }

  static Dim of(String name) {
    return new Symbolic(name);
  }
}
