/**
 * Data movement ops, generic over element types: reshape, transpose, slice, gather, concat, pad,
 * resize.
 */
package dev.octet.runtime.ops.shape;
