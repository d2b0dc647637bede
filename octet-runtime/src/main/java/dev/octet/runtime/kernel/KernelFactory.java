package dev.octet.runtime.kernel;

/** Creates the kernel of one node at planning time; may reject bad attributes with an error. */
@FunctionalInterface
public interface KernelFactory {
  Kernel create(OpContext op);
}
