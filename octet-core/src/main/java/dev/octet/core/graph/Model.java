package dev.octet.core.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model: its main graph, the operator sets it imports, producer information and
 * metadata_props. Functions and training information are carried through opaque.
 */
public record Model(
    long irVersion,
    List<OpsetImport> opsetImports,
    String producerName,
    String producerVersion,
    String domain,
    long modelVersion,
    String docString,
    Graph graph,
    Map<String, String> metadata,
    List<Opaque> functions,
    List<Opaque> trainingInfo) {

  public Model {
    Objects.requireNonNull(graph, "graph");
    opsetImports = List.copyOf(opsetImports);
    producerName = producerName == null ? "" : producerName;
    producerVersion = producerVersion == null ? "" : producerVersion;
    domain = domain == null ? "" : domain;
    docString = docString == null ? "" : docString;
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    functions = List.copyOf(functions);
    trainingInfo = List.copyOf(trainingInfo);
  }

  /** A model around {@code graph} with the given opsets and nothing else. */
  public static Model of(Graph graph, long irVersion, List<OpsetImport> opsets) {
    return new Model(irVersion, opsets, "", "", "", 0, "", graph, Map.of(), List.of(), List.of());
  }

  /** The imported version of {@code domain} ("" or "ai.onnx" for ONNX), or -1 when not imported. */
  public long opsetVersion(String domainName) {
    String d = OpsetImport.normalizeDomain(domainName);
    return opsetImports.stream()
        .filter(o -> o.domain().equals(d))
        .mapToLong(OpsetImport::version)
        .max()
        .orElse(-1);
  }

  public Model withGraph(Graph newGraph) {
    return new Model(
        irVersion,
        opsetImports,
        producerName,
        producerVersion,
        domain,
        modelVersion,
        docString,
        newGraph,
        metadata,
        functions,
        trainingInfo);
  }

  public Model withMetadata(Map<String, String> newMetadata) {
    return new Model(
        irVersion,
        opsetImports,
        producerName,
        producerVersion,
        domain,
        modelVersion,
        docString,
        graph,
        newMetadata,
        functions,
        trainingInfo);
  }

  public Model withProducer(String name, String version) {
    return new Model(
        irVersion,
        opsetImports,
        name,
        version,
        domain,
        modelVersion,
        docString,
        graph,
        metadata,
        functions,
        trainingInfo);
  }

  public Model withOpsetImports(List<OpsetImport> opsets) {
    return new Model(
        irVersion,
        opsets,
        producerName,
        producerVersion,
        domain,
        modelVersion,
        docString,
        graph,
        metadata,
        functions,
        trainingInfo);
  }
}
