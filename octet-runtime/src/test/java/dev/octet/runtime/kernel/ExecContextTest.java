package dev.octet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * Scratch buffers: small ones by exact length, larger ones rounded up to a power of two, so that
 * scratch of different sizes in one class shares a buffer; tensors' buffers keep exact lengths.
 */
class ExecContextTest {
  @Test
  void scratchUpToTheThresholdHasItsExactLength() {
    ExecContext ctx = new ExecContext(null, 1);
    assertEquals(300, ctx.scratch(300).length);
    assertEquals(ExecContext.SMALL_SCRATCH, ctx.scratch(ExecContext.SMALL_SCRATCH).length);
  }

  @Test
  void largerScratchIsRoundedUpToAPowerOfTwo() {
    ExecContext ctx = new ExecContext(null, 1);
    assertEquals(8192, ctx.scratch(ExecContext.SMALL_SCRATCH + 1).length);
    assertEquals(8192, ctx.scratch(8192).length);
    assertEquals(1 << 18, ctx.scratch(184_328).length);
  }

  @Test
  void scratchTooLargeToRoundUpKeepsItsLength() {
    // no allocation: the rounding alone, as scratch computes it (past 2^30 it would overflow)
    assertEquals((1 << 30) + 1, ExecContext.scratchLength((1 << 30) + 1));
    assertEquals(1 << 30, ExecContext.scratchLength((1 << 29) + 1));
  }

  @Test
  void scratchOfOneClassSharesABuffer() {
    ExecContext ctx = new ExecContext(null, 1);
    float[] a = ctx.scratch(150_000);
    ctx.recycle(a);
    assertSame(a, ctx.scratch(184_328), "another size of the same class takes the buffer back");
    float[] b = ctx.scratch(100_000);
    assertNotSame(a, b);
    assertEquals(1 << 17, b.length);
  }

  @Test
  void tensorBuffersKeepTheirExactLength() {
    ExecContext ctx = new ExecContext(null, 1);
    float[] a = ctx.scratch(150_000);
    ctx.recycle(a);
    float[] t = ctx.floats(150_000);
    assertEquals(150_000, t.length);
    assertNotSame(a, t);
  }
}
