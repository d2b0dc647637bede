/** ONNX's quantization ops: QuantizeLinear and DequantizeLinear (per tensor, per axis, blocked). */
package dev.octet.runtime.ops.quant;
