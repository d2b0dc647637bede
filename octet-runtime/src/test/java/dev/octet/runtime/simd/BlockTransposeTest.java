package dev.octet.runtime.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The register transpose against its definition, with row strides and offsets on both sides. */
class BlockTransposeTest {
  @Test
  void blockMovesEveryValueToItsTransposedPlaceAndNothingElse() {
    assumeTrue(BlockTranspose.ENABLED, "16- or 8-lane vectors (AVX-512, AVX2) with SIMD on");
    Random r = new Random(5);
    int b = BlockTranspose.B;
    int[][] cases = {{0, b, 0, b}, {3, 17, 5, 21}, {1, 64, 0, 3025}, {7, 40, 2, 16}};
    for (int[] c : cases) {
      int s = c[0];
      int ss = c[1];
      int d = c[2];
      int ds = c[3];
      float[] src = new float[s + (b - 1) * ss + b + 3];
      for (int i = 0; i < src.length; i++) {
        src[i] = r.nextFloat();
      }
      float[] dst = new float[d + (b - 1) * ds + b + 3];
      java.util.Arrays.fill(dst, -1f);
      BlockTranspose.block(src, s, ss, dst, d, ds);
      for (int i = 0; i < dst.length; i++) {
        int q = i - d;
        boolean inBlock = q >= 0 && q / ds < b && q % ds < b;
        float want = inBlock ? src[s + (q % ds) * ss + q / ds] : -1f;
        assertEquals(want, dst[i], "dst[" + i + "] for s=" + s + " ss=" + ss + " ds=" + ds);
      }
    }
  }
}
