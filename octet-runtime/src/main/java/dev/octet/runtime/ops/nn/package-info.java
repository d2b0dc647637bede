/** Neural-network ops: convolution, pooling, normalization, softmax. */
package dev.octet.runtime.ops.nn;
