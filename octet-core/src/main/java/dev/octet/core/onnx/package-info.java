/**
 * ONNX files in and out: {@link dev.octet.core.onnx.OnnxModels} loads and saves models (external
 * data included); nothing outside this package touches protobuf.
 */
package dev.octet.core.onnx;
