/**
 * One interface over Octet's runtime and ONNX Runtime's Java API, so that both run the same inputs.
 */
package dev.octet.eval.engine;
