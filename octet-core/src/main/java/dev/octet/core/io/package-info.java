/** Tensor file formats other than ONNX's own: numpy's .npy. */
package dev.octet.core.io;
