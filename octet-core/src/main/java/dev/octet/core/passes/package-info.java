/** Whole-graph transformations that keep a model's meaning: precision conversion and the like. */
package dev.octet.core.passes;
