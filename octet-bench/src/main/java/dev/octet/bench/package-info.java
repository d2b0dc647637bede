/**
 * JMH benchmarks of Octet's kernels; {@link dev.octet.bench.GemmReport} prints GFLOP/s against a
 * measured peak.
 */
package dev.octet.bench;
