package dev.octet.quant.qdq;

/** What the rewriter does with one tensor; set by op annotators, never by the rewriter. */
public sealed interface Mark {
  /** A computed tensor: quantized with the activation scheme over its calibrated range. */
  record Activation() implements Mark {}

  /**
   * A constant quantized from its own values: with the weight scheme (per channel along {@code
   * axis} when axis >= 0), or with the activation scheme when {@code asActivation} (constant
   * operands of Add and Mul, which must share the activations' type).
   */
  record Constant(int axis, boolean asActivation) implements Mark {}

  /**
   * A constant bias stored as int32 with scale s_input * s_weight (per channel) and zero point 0.
   */
  record Bias(String input, String weight) implements Mark {}

  /**
   * A constant table read by Gather (embeddings): stored quantized with the activation scheme, and
   * the Gather reads the integer rows, followed by a DequantizeLinear of just those rows.
   */
  record Table() implements Mark {}

  /**
   * Takes the parameters of {@code source} (MaxPool, Reshape and the like move values unchanged).
   */
  record SameAs(String source) implements Mark {}
}
