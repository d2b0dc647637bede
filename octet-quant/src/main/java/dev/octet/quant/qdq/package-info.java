/**
 * Static quantization in QDQ form: op annotators mark tensors ({@link dev.octet.quant.qdq.Mark}),
 * and one {@link dev.octet.quant.qdq.QdqRewriter} inserts QuantizeLinear/DequantizeLinear for all.
 */
package dev.octet.quant.qdq;
