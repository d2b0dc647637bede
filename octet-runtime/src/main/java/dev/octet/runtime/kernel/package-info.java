/**
 * The kernel contract: one {@link dev.octet.runtime.kernel.Kernel} per node, created at planning
 * time by a factory that a {@link dev.octet.runtime.kernel.KernelRegistry} finds by domain, op type
 * and opset.
 */
package dev.octet.runtime.kernel;
