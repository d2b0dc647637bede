/** Element-wise ops: unary and broadcasting binary kernels, comparisons, casts and selections. */
package dev.octet.runtime.ops.math;
