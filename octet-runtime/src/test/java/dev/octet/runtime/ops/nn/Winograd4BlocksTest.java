package dev.octet.runtime.ops.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.runtime.simd.Sgemm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How F(4x4, 3x3) cuts its tiles into blocks on several threads: where it cuts them smaller than on
 * one thread, into blocks of whole GEMM panels, at least two per thread, none below the minimum
 * (the convolution's values for these cuts are checked by ConvKernelTest).
 */
class Winograd4BlocksTest {
  @ParameterizedTest(name = "{0} tiles, {1} -> {2} channels, {3} threads")
  @CsvSource({
    // SqueezeNet's fire2 and fire3 (55 x 55: 14 x 14 tiles)
    "196, 16, 64, 2",
    "196, 16, 64, 3",
    "1000, 16, 64, 4",
    "150, 16, 64, 2",
    "49, 32, 128, 2",
  })
  void smallerBlocksAreWholePanelsAndEveryThreadTakesTwo(int tiles, int c, int m, int threads) {
    int nb = Winograd4.blockTiles(tiles, c, m, threads);
    int once = Winograd4.blockTiles(tiles, c, m, 1);
    assertTrue(nb <= once, nb + " tiles per block, " + once + " on one thread");
    if (nb < once) {
      assertEquals(0, nb % Sgemm.NR, nb + " tiles: not whole panels of " + Sgemm.NR);
      assertTrue(nb >= 2 * Sgemm.NR, nb + " tiles: below the minimum");
      int blocks = (tiles + nb - 1) / nb;
      assertTrue(blocks >= 2 * threads, blocks + " blocks for " + threads + " threads");
    }
  }

  @Test
  void squeezeNetsFire2TakesBlocksOf48AtTwoThreads() {
    // 49 tiles a block would leave a panel for one tile in each of the four
    assertEquals(48, Winograd4.blockTiles(196, 16, 64, 2));
  }
}
