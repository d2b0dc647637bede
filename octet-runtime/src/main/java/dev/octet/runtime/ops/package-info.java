/**
 * The standard ONNX kernels, one class (or one registered lambda) per op, registered by opset in
 * {@link dev.octet.runtime.ops.StandardOps}; shared helpers for shapes, broadcasting and dtypes.
 */
package dev.octet.runtime.ops;
