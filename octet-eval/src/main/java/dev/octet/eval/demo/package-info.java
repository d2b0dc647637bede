/** The README's first command: quantize all-MiniLM-L6-v2 and show what INT8 costs and gains. */
package dev.octet.eval.demo;
