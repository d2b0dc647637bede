/**
 * Octet's core vocabulary: element types ({@link dev.octet.core.DType}), immutable tensors ({@link
 * dev.octet.core.Tensor}) and the one exception type that every bad input turns into.
 */
package dev.octet.core;
