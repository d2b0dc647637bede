package dev.octet.core.graph;

import java.util.Map;

/**
 * ONNX's GraphProto.quantization_annotation: the names of the tensors that hold a tensor's
 * quantization parameters (keys such as "SCALE_TENSOR", "ZERO_POINT_TENSOR").
 */
public record QuantAnnotation(String tensorName, Map<String, String> parameterTensors) {
  public QuantAnnotation {
    parameterTensors =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameterTensors));
  }
}
