/**
 * Readers of real data (MNIST IDX, image folders, sentence files) that turn it into model inputs.
 */
package dev.octet.eval.data;
