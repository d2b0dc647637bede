package dev.octet.quant;

import dev.octet.core.OctetException;
import dev.octet.core.graph.Node;
import dev.octet.quant.calib.RangeEstimator;
import dev.octet.quant.qdq.OpAnnotators;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What to quantize and how, as typed data with a JSON form ({@link RecipeJson}). Version 1: static
 * (calibrated) or dynamic mode, QDQ or QOperator output, an activation scheme, a weight scheme (per
 * channel or per tensor), a calibration method, the op types to quantize, node names to keep in
 * float, and overrides per op type, node-name pattern or exact node name (in rising precedence).
 *
 * @param mode static (activations calibrated), dynamic (activations quantized at run time) or
 *     weight-only (int8 weights, float activations)
 * @param format qdq (QuantizeLinear/DequantizeLinear pairs) or qoperator (QLinearConv,
 *     QLinearMatMul where a whole group is quantized; Q/DQ elsewhere)
 * @param method minmax, moving-minmax, percentile[:P], entropy or mse
 * @param exclude node names kept in float whatever the overrides say
 * @param fallback how many of the most sensitive nodes (ranked by {@link Sensitivity}) to keep in
 *     float, on top of {@code exclude}
 * @param smoothing SmoothQuant's alpha for the inputs of quantized MatMuls that read a layer
 *     normalization ({@link SmoothQuant}), 0 for none; needs calibration data in every mode
 */
public record Recipe(
    int version,
    String mode,
    String format,
    QuantScheme activations,
    QuantScheme weights,
    boolean perChannel,
    String method,
    Set<String> opTypes,
    Set<String> exclude,
    int fallback,
    float smoothing,
    List<NodeOverride> overrides) {

  public static final int VERSION = 1;

  public Recipe {
    if (version != VERSION) {
      throw new OctetException(
          "recipe version " + version + " is not supported; this Octet reads version " + VERSION);
    }
    oneOf("mode", mode, "static", "dynamic", "weight-only");
    oneOf("format", format, "qdq", "qoperator");
    if (activations == null || weights == null) {
      throw new OctetException("a recipe needs both an activations and a weights scheme");
    }
    if (weights.perChannel()) {
      throw new OctetException(
          "give the weight scheme per tensor; perChannel chooses the axis per op");
    }
    RangeEstimator.parse(method);
    for (String op : opTypes) {
      checkOp(op);
    }
    opTypes = Set.copyOf(opTypes);
    exclude = Set.copyOf(exclude);
    overrides = List.copyOf(overrides);
    if (smoothing != 0 && !(smoothing > 0 && smoothing < 1)) {
      throw new OctetException(
          "smoothing (SmoothQuant's alpha) must be 0 (none) or lie strictly between 0 and 1, got "
              + smoothing);
    }
    if (fallback < 0) {
      throw new OctetException("fallback must be >= 0 nodes, got " + fallback);
    }
  }

  /**
   * A change to the recipe for the nodes it matches: by op type, by a regular expression that the
   * whole node name matches, or by exact node name (exactly one of the three). Null fields leave
   * the setting as it is.
   *
   * @param quantize false keeps the node in float; true quantizes it even if its op type is not in
   *     the recipe's op types
   * @param method the calibration method for the node's output activations
   * @param perChannel per-channel (true) or per-tensor (false) weights for the node
   */
  public record NodeOverride(
      String opType,
      String pattern,
      String node,
      Boolean quantize,
      String method,
      Boolean perChannel) {
    public NodeOverride {
      int given = (opType != null ? 1 : 0) + (pattern != null ? 1 : 0) + (node != null ? 1 : 0);
      if (given != 1) {
        throw new OctetException(
            "a recipe override matches by exactly one of opType, pattern or node; got "
                + given
                + " in "
                + this);
      }
      if (opType != null) {
        checkOp(opType);
      }
      if (pattern != null) {
        try {
          Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
          throw new OctetException(
              "recipe override pattern '"
                  + pattern
                  + "' is not a regular expression: "
                  + e.getDescription());
        }
      }
      if (method != null) {
        RangeEstimator.parse(method);
      }
    }

    /** 0: op type, 1: pattern, 2: exact name; -1 when it does not match {@code n}. */
    int level(Node n) {
      if (opType != null) {
        return opType.equals(n.opType()) ? 0 : -1;
      }
      if (pattern != null) {
        return Pattern.compile(pattern).matcher(n.name()).matches() ? 1 : -1;
      }
      return node.equals(n.name()) ? 2 : -1;
    }
  }

  /** The settings that apply to one node after the overrides. */
  public record NodeSettings(boolean quantize, String method, boolean perChannel) {}

  /** The settings for {@code n}: the recipe's, then op-type, pattern and name overrides. */
  public NodeSettings rule(Node n) {
    boolean quantize =
        n.domain().isEmpty()
            && opTypes.contains(n.opType())
            && OpAnnotators.supported().contains(n.opType());
    String m = method;
    boolean pc = perChannel;
    for (int level = 0; level <= 2; level++) {
      for (NodeOverride o : overrides) {
        if (o.level(n) != level) {
          continue;
        }
        if (o.quantize() != null) {
          quantize =
              o.quantize() && n.domain().isEmpty() && OpAnnotators.supported().contains(n.opType());
        }
        m = o.method() != null ? o.method() : m;
        pc = o.perChannel() != null ? o.perChannel() : pc;
      }
    }
    return new NodeSettings(quantize && !exclude.contains(n.name()), m, pc);
  }

  /** Whether the recipe smooths MatMul inputs (and so needs calibration data in every mode). */
  public boolean smooths() {
    return smoothing > 0;
  }

  /** Whether {@code n} is quantized under this recipe. */
  public boolean quantizes(Node n) {
    return rule(n).quantize();
  }

  private static void checkOp(String op) {
    if (!OpAnnotators.supported().contains(op)) {
      throw new OctetException(
          "op type '" + op + "' cannot be quantized; supported: " + OpAnnotators.supported());
    }
  }

  private static void oneOf(String field, String value, String... allowed) {
    if (!List.of(allowed).contains(value)) {
      throw new OctetException(
          "recipe " + field + " must be one of " + List.of(allowed) + ", got '" + value + "'");
    }
  }

  /**
   * Transformers (MatMul-based): only the matrix products and embedding tables are quantized
   * (quantizing the attention mask's Add collapses accuracy), percentile calibration.
   */
  public static Recipe transformer() {
    return defaults().withMethod("percentile").withOpTypes(Set.of("MatMul", "Gemm", "Gather"));
  }

  /**
   * Defaults that do not collapse accuracy: static QDQ, uint8 asymmetric activations, int8
   * symmetric per-channel weights, every supported op, min-max calibration.
   */
  public static Recipe defaults() {
    return new Recipe(
        VERSION,
        "static",
        "qdq",
        QuantScheme.uint8Asymmetric(),
        QuantScheme.int8Symmetric(),
        true,
        "minmax",
        OpAnnotators.supported(),
        Set.of(),
        0,
        0f,
        List.of());
  }

  public Recipe withMode(String m) {
    return with(f -> f.mode = m);
  }

  public Recipe withFormat(String fmt) {
    return with(f -> f.format = fmt);
  }

  public Recipe withMethod(String m) {
    return with(f -> f.method = m);
  }

  public Recipe withPerChannel(boolean pc) {
    return with(f -> f.perChannel = pc);
  }

  public Recipe withOpTypes(Set<String> ops) {
    return with(f -> f.opTypes = ops);
  }

  public Recipe withFallback(int nodes) {
    return with(f -> f.fallback = nodes);
  }

  public Recipe withSmoothing(float alpha) {
    return with(f -> f.smoothing = alpha);
  }

  public Recipe withExclude(Set<String> nodes) {
    return with(f -> f.exclude = nodes);
  }

  /**
   * Weights of 7 bits (int8 -64..63) or 8: for ONNX Runtime on x86 CPUs without VNNI, whose u8 x s8
   * kernels add pairs of products in saturating 16-bit lanes (AVX2's vpmaddubsw). SqueezeNet on a
   * Zen 1 EPYC run there: top-1 on 500 images 299 -> 283 with 8-bit weights (see BENCHMARKS.md).
   */
  public Recipe withReduceRange(boolean reduce) {
    return with(
        f ->
            f.weights =
                new QuantScheme(
                    f.weights.dtype(), f.weights.symmetric(), f.weights.axis(), reduce));
  }

  public Recipe withOverrides(List<NodeOverride> o) {
    return with(f -> f.overrides = o);
  }

  /** A copy with {@code change} applied to its fields (validated as any recipe is). */
  private Recipe with(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return f.build();
  }

  /** The fields of a recipe being copied with a change: one place to list them all. */
  private static final class Fields {
    final int version;
    String mode;
    String format;
    final QuantScheme activations;
    QuantScheme weights;
    boolean perChannel;
    String method;
    Set<String> opTypes;
    Set<String> exclude;
    int fallback;
    float smoothing;
    List<NodeOverride> overrides;

    Fields(Recipe r) {
      version = r.version;
      mode = r.mode;
      format = r.format;
      activations = r.activations;
      weights = r.weights;
      perChannel = r.perChannel;
      method = r.method;
      opTypes = r.opTypes;
      exclude = r.exclude;
      fallback = r.fallback;
      smoothing = r.smoothing;
      overrides = r.overrides;
    }

    Recipe build() {
      return new Recipe(
          version,
          mode,
          format,
          activations,
          weights,
          perChannel,
          method,
          opTypes,
          exclude,
          fallback,
          smoothing,
          overrides);
    }
  }

  /** This recipe as JSON (the form {@link RecipeJson#parse} reads). */
  public String toJson() {
    return RecipeJson.write(this);
  }
}
