/**
 * Plan-time graph fusions (Conv+Relu, MatMul+bias, LayerNorm and GELU subgraphs) into fused ops of
 * the {@code com.octet} domain, so that one pass replaces several; off when every value must be
 * seen.
 */
package dev.octet.runtime.fusion;
