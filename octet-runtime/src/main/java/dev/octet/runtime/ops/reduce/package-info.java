/** Reductions along axes: Reduce*, ArgMax/ArgMin, CumSum, TopK. */
package dev.octet.runtime.ops.reduce;
