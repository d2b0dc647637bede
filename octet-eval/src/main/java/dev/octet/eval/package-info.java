/**
 * Evaluation: engines run side by side, datasets stream real inputs, metrics and reports tell the
 * difference.
 */
package dev.octet.eval;
