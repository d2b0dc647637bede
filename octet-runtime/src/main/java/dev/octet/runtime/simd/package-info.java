/**
 * Vector API fast paths, each beside its scalar reference. {@code -Doctet.simd=false} switches
 * every fast path off so that the scalar code can always be checked against it.
 */
package dev.octet.runtime.simd;
