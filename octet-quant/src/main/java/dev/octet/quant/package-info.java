/**
 * Quantization: schemes and parameters ({@link dev.octet.quant.QuantScheme}, {@link
 * dev.octet.quant.QParams}) and the reference arithmetic ({@link dev.octet.quant.QuantMath}).
 */
package dev.octet.quant;
