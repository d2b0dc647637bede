package dev.octet.runtime.kernel;

import dev.octet.core.Tensor;

/**
 * Computes one node's outputs from its inputs. A kernel is created once per node at planning time
 * (attributes parsed, constant weights packed) and is then stateless: {@link #run} may be called by
 * several threads at once.
 *
 * <p>Quantization-aware training will add a backward pass per op by a second interface that a
 * kernel class may also implement; nothing here assumes inference only except that {@link #run}
 * returns fresh tensors and never modifies its inputs.
 */
@FunctionalInterface
public interface Kernel {
  /**
   * @param inputs one entry per node input; null for an omitted optional input
   * @return one entry per node output; null for an optional output the node does not produce
   */
  Tensor[] run(ExecContext ctx, Tensor[] inputs);

  /** Bytes of constants this kernel prepared at planning time (packed weights), for accounting. */
  default long packedBytes() {
    return 0;
  }
}
