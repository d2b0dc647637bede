package dev.octet.core.graph;

import java.util.List;
import java.util.Objects;

/**
 * One operator application. An empty input name is an omitted optional input, as in ONNX. The
 * domain is "" for the default ONNX domain.
 */
public record Node(
    String name,
    String domain,
    String opType,
    List<String> inputs,
    List<String> outputs,
    Attributes attributes,
    String docString) {

  public Node {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(opType, "opType");
    domain = OpsetImport.normalizeDomain(domain);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    attributes =
        (attributes == null ? Attributes.empty() : attributes)
            .withOwner("node '" + name + "' (" + opType + ")");
    docString = docString == null ? "" : docString;
  }

  public Node(
      String name, String opType, List<String> inputs, List<String> outputs, Attributes attrs) {
    this(name, "", opType, inputs, outputs, attrs, "");
  }

  /** Input {@code i}, or "" when the node has fewer inputs (an omitted optional input). */
  public String input(int i) {
    return i < inputs.size() ? inputs.get(i) : "";
  }

  public String output(int i) {
    return i < outputs.size() ? outputs.get(i) : "";
  }

  /** "Conv" in the default domain, "com.microsoft.QGemm" elsewhere. */
  public String qualifiedOpType() {
    return domain.isEmpty() ? opType : domain + "." + opType;
  }

  /** For messages: {@code node 'conv1' (Conv)}. */
  public String describe() {
    return "node '" + name + "' (" + qualifiedOpType() + ")";
  }

  public Node withInputs(List<String> newInputs) {
    return new Node(name, domain, opType, newInputs, outputs, attributes, docString);
  }

  public Node withOutputs(List<String> newOutputs) {
    return new Node(name, domain, opType, inputs, newOutputs, attributes, docString);
  }

  public Node withName(String newName) {
    return new Node(newName, domain, opType, inputs, outputs, attributes, docString);
  }

  public Node withAttributes(Attributes newAttributes) {
    return new Node(name, domain, opType, inputs, outputs, newAttributes, docString);
  }
}
