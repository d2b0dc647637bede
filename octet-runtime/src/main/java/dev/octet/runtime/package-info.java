/**
 * Executes ONNX graphs in pure Java: a {@link dev.octet.runtime.Session} plans a graph once (kernel
 * lookup, constant folding, value lifetimes) and runs it many times, from any number of threads.
 */
package dev.octet.runtime;
