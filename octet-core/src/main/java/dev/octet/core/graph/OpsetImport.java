package dev.octet.core.graph;

/** An operator set the model uses: domain ("" is the default ONNX domain) and version. */
public record OpsetImport(String domain, long version) {
  public OpsetImport {
    domain = normalizeDomain(domain);
  }

  /** "ai.onnx" and "" both name the default domain; Octet uses "". */
  public static String normalizeDomain(String domain) {
    return domain == null || domain.equals("ai.onnx") ? "" : domain;
  }
}
