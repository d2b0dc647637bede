/**
 * Side-by-side latency measurement of engines in one JVM: interleaved, after warm-up, as ratios.
 */
package dev.octet.eval.bench;
