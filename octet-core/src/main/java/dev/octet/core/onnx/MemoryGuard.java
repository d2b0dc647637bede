package dev.octet.core.onnx;

import dev.octet.core.OctetException;

/**
 * Refuses allocations that cannot fit in the heap, so that a model declaring an absurd external
 * tensor fails with a message instead of an OutOfMemoryError.
 */
final class MemoryGuard {
  private MemoryGuard() {}

  static void reserve(long bytes) {
    Runtime rt = Runtime.getRuntime();
    long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    if (bytes > free) {
      throw new OctetException(
          "needs "
              + (bytes >> 20)
              + " MiB but only "
              + (free >> 20)
              + " MiB of heap are free; raise -Xmx (e.g. OCTET_OPTS=-Xmx16g)");
    }
  }
}
