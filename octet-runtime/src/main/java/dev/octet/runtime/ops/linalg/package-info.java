/** Matrix products: MatMul, Gemm, Einsum, all on the packed Vector API SGEMM. */
package dev.octet.runtime.ops.linalg;
