package dev.octet.quant;

import dev.octet.core.OctetException;
import dev.octet.quant.calib.RangeEstimator;
import dev.octet.quant.qdq.OpAnnotators;
import java.util.Set;

/**
 * What to quantize and how, as typed data. Version 1: static QDQ quantization with an activation
 * scheme, a weight scheme (per channel or per tensor), a calibration method, the op types to
 * quantize and the node names to keep in float.
 *
 * @param method minmax, percentile[:P], entropy or mse
 * @param fallback how many of the most sensitive nodes (ranked by {@link Sensitivity}) to keep in
 *     float, on top of {@code exclude}
 */
public record Recipe(
    int version,
    QuantScheme activations,
    QuantScheme weights,
    boolean perChannel,
    String method,
    Set<String> opTypes,
    Set<String> exclude,
    int fallback) {

  public static final int VERSION = 1;

  public Recipe {
    if (version != VERSION) {
      throw new OctetException(
          "recipe version " + version + " is not supported; this Octet reads version " + VERSION);
    }
    if (weights.perChannel()) {
      throw new OctetException(
          "give the weight scheme per tensor; perChannel chooses the axis per op");
    }
    RangeEstimator.parse(method);
    for (String op : opTypes) {
      if (!OpAnnotators.supported().contains(op)) {
        throw new OctetException(
            "op type '" + op + "' cannot be quantized; supported: " + OpAnnotators.supported());
      }
    }
    opTypes = Set.copyOf(opTypes);
    exclude = Set.copyOf(exclude);
    if (fallback < 0) {
      throw new OctetException("fallback must be >= 0 nodes, got " + fallback);
    }
  }

  /**
   * Transformers (MatMul-based): only the matrix products are quantized (quantizing the attention
   * mask's Add collapses accuracy), percentile calibration.
   */
  public static Recipe transformer() {
    return new Recipe(
        VERSION,
        QuantScheme.uint8Asymmetric(),
        QuantScheme.int8Symmetric(),
        true,
        "percentile",
        Set.of("MatMul", "Gemm", "Gather"),
        Set.of(),
        0);
  }

  /**
   * Defaults that do not collapse accuracy: uint8 asymmetric activations, int8 symmetric
   * per-channel weights, every supported op, min-max calibration.
   */
  public static Recipe defaults() {
    return new Recipe(
        VERSION,
        QuantScheme.uint8Asymmetric(),
        QuantScheme.int8Symmetric(),
        true,
        "minmax",
        OpAnnotators.supported(),
        Set.of(),
        0);
  }

  public Recipe withMethod(String m) {
    return new Recipe(version, activations, weights, perChannel, m, opTypes, exclude, fallback);
  }

  public Recipe withPerChannel(boolean pc) {
    return new Recipe(version, activations, weights, pc, method, opTypes, exclude, fallback);
  }

  public Recipe withFallback(int nodes) {
    return new Recipe(version, activations, weights, perChannel, method, opTypes, exclude, nodes);
  }

  public Recipe withExclude(Set<String> nodes) {
    return new Recipe(version, activations, weights, perChannel, method, opTypes, nodes, fallback);
  }
}
