package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

class PrefetchTest {
  @Test
  void readsOnlyInsideTheArrayAndChangesNothing() {
    float[] a = new float[100];
    for (int i = 0; i < a.length; i++) {
      a[i] = Float.intBitsToFloat(0x7fc0_1234 ^ i);
    }
    float[] before = a.clone();
    // ranges that start before the array or end past it are cut to it; empty ones read nothing
    assertDoesNotThrow(() -> Prefetch.read(a, -40, 300));
    assertDoesNotThrow(() -> Prefetch.read(a, 90, 17));
    assertDoesNotThrow(() -> Prefetch.read(new float[0], 0, 64));
    assertArrayEquals(before, a);
  }
}
