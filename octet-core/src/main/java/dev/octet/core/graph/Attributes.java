package dev.octet.core.graph;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node's attributes in declaration order, with typed accessors whose errors name the node and the
 * attribute. Immutable.
 */
public final class Attributes {
  private static final Attributes EMPTY = new Attributes(Map.of(), "");
  private final Map<String, AttributeValue> values;
  private final String owner;

  private Attributes(Map<String, AttributeValue> values, String owner) {
    this.values = values;
    this.owner = owner;
  }

  public static Attributes of(Map<String, AttributeValue> values) {
    if (values.isEmpty()) {
      return EMPTY;
    }
    return new Attributes(Collections.unmodifiableMap(new LinkedHashMap<>(values)), "");
  }

  public static Attributes empty() {
    return EMPTY;
  }

  /** The same attributes, reporting errors as belonging to {@code owner} (e.g. "node 'conv1'"). */
  Attributes withOwner(String newOwner) {
    return new Attributes(values, newOwner);
  }

  public Map<String, AttributeValue> asMap() {
    return values;
  }

  public Set<String> names() {
    return values.keySet();
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Optional<AttributeValue> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public int size() {
    return values.size();
  }

  /**
   * The attributes whose names start with {@code prefix}, named without it: the attributes of one
   * part of a fused op (a fused op carries its parts' attributes as "p0.strides", "pool.pads",
   * ...).
   */
  public Attributes withPrefix(String prefix) {
    Map<String, AttributeValue> out = new java.util.LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return of(out);
  }

  public long getInt(String name, long defaultValue) {
    AttributeValue v = values.get(name);
    return v == null ? defaultValue : as(name, v, AttributeValue.IntValue.class).value();
  }

  public long getInt(String name) {
    return as(name, require(name), AttributeValue.IntValue.class).value();
  }

  public float getFloat(String name, float defaultValue) {
    AttributeValue v = values.get(name);
    return v == null ? defaultValue : as(name, v, AttributeValue.FloatValue.class).value();
  }

  public String getString(String name, String defaultValue) {
    AttributeValue v = values.get(name);
    return v == null ? defaultValue : as(name, v, AttributeValue.StringValue.class).value();
  }

  public String getString(String name) {
    return as(name, require(name), AttributeValue.StringValue.class).value();
  }

  /** The INTS attribute, or null when absent. */
  public long[] getInts(String name) {
    AttributeValue v = values.get(name);
    if (v == null) {
      return null;
    }
    List<Long> list = as(name, v, AttributeValue.IntsValue.class).value();
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  /** The FLOATS attribute, or null when absent. */
  public float[] getFloats(String name) {
    AttributeValue v = values.get(name);
    if (v == null) {
      return null;
    }
    List<Float> list = as(name, v, AttributeValue.FloatsValue.class).value();
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  public List<String> getStrings(String name) {
    AttributeValue v = values.get(name);
    return v == null ? null : as(name, v, AttributeValue.StringsValue.class).value();
  }

  public Tensor getTensor(String name) {
    return as(name, require(name), AttributeValue.TensorValue.class).value();
  }

  public Graph getGraph(String name) {
    return as(name, require(name), AttributeValue.GraphValue.class).value();
  }

  private AttributeValue require(String name) {
    AttributeValue v = values.get(name);
    if (v == null) {
      throw new OctetException(
          prefix() + "required attribute '" + name + "' is missing (has: " + values.keySet() + ")");
    }
    return v;
  }

  private <T extends AttributeValue> T as(String name, AttributeValue v, Class<T> type) {
    if (!type.isInstance(v)) {
      String want = type.getSimpleName().replace("Value", "").toUpperCase(java.util.Locale.ROOT);
      throw new OctetException(
          prefix() + "attribute '" + name + "' is " + v.typeName() + ", expected " + want);
    }
    return type.cast(v);
  }

  private String prefix() {
    return owner.isEmpty() ? "" : owner + ": ";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attributes a && a.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
