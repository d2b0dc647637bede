package dev.octet.runtime.kernel;

import dev.octet.core.graph.OpsetImport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kernel factories keyed by domain, op type and the opset version since which their semantics hold.
 * Lookup picks the newest version not above the model's opset, as ONNX resolves operators. Built
 * explicitly and passed to a Session; there is no global registry.
 */
public final class KernelRegistry {
  private record Key(String domain, String opType) {}

  private final Map<Key, TreeMap<Integer, KernelFactory>> table;

  private KernelRegistry(Map<Key, TreeMap<Integer, KernelFactory>> table) {
    this.table = table;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The factory for {@code opType} in {@code domain} at {@code opset}, if any. */
  public Optional<KernelFactory> find(String domain, String opType, long opset) {
    TreeMap<Integer, KernelFactory> versions =
        table.get(new Key(OpsetImport.normalizeDomain(domain), opType));
    if (versions == null) {
      return Optional.empty();
    }
    var e = versions.floorEntry((int) Math.min(Integer.MAX_VALUE, opset));
    return e == null ? Optional.empty() : Optional.of(e.getValue());
  }

  /** The "since" versions registered for an op, for error messages; empty when unknown. */
  public List<Integer> versions(String domain, String opType) {
    TreeMap<Integer, KernelFactory> v =
        table.get(new Key(OpsetImport.normalizeDomain(domain), opType));
    return v == null ? List.of() : List.copyOf(v.keySet());
  }

  /** Every registered op, domain-qualified outside the default domain, sorted. */
  public List<String> ops() {
    TreeSet<String> out = new TreeSet<>();
    table
        .keySet()
        .forEach(k -> out.add(k.domain().isEmpty() ? k.opType() : k.domain() + "." + k.opType()));
    return List.copyOf(out);
  }

  public boolean supports(String domain, String opType) {
    return table.containsKey(new Key(OpsetImport.normalizeDomain(domain), opType));
  }

  /** Collects registrations; {@link #build()} freezes them. */
  public static final class Builder {
    private final Map<Key, TreeMap<Integer, KernelFactory>> table = new HashMap<>();

    /**
     * Registers {@code factory} for {@code opType} in the default ONNX domain since {@code
     * version}.
     */
    public Builder add(String opType, int sinceVersion, KernelFactory factory) {
      return add("", opType, sinceVersion, factory);
    }

    public Builder add(String domain, String opType, int sinceVersion, KernelFactory factory) {
      table
          .computeIfAbsent(
              new Key(OpsetImport.normalizeDomain(domain), opType), k -> new TreeMap<>())
          .put(sinceVersion, factory);
      return this;
    }

    public KernelRegistry build() {
      Map<Key, TreeMap<Integer, KernelFactory>> copy = new HashMap<>();
      table.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
      return new KernelRegistry(copy);
    }
  }
}
