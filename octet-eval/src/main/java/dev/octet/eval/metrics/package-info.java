/**
 * Metrics: rank correlation, cosine similarity, accuracy and agreement, STS evaluation of sentence
 * embedders.
 */
package dev.octet.eval.metrics;
