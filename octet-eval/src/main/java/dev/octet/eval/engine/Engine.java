package dev.octet.eval.engine;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import java.util.Locale;
import java.util.Map;

/** Something that runs an ONNX model: Octet's own runtime or ONNX Runtime. */
public interface Engine extends AutoCloseable {
  /** "octet" or "ort". */
  String name();

  /** Runs the model on named inputs; returns the outputs in the model's order. */
  Map<String, Tensor> run(Map<String, Tensor> inputs);

  @Override
  void close();

  /** Opens the engine called {@code name} ("octet" or "ort") on {@code model}. */
  static Engine open(String name, Model model, int threads) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "octet" -> new OctetEngine(model, threads);
      case "ort", "onnxruntime" -> new OrtEngine(model, threads);
      default -> throw new OctetException("unknown engine '" + name + "'; use octet or ort");
    };
  }
}
