package dev.octet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * Buffers come back by exact length, last given first taken, and a run's end keeps only the lengths
 * that run asked for.
 */
class BufferPoolTest {
  @Test
  void takesBackGivenBuffersByExactLength() {
    BufferPool p = new BufferPool();
    assertNull(p.take(300));
    float[] a = new float[300];
    float[] b = new float[300];
    p.give(a);
    p.give(b);
    assertNull(p.take(301));
    assertSame(b, p.take(300));
    assertSame(a, p.take(300));
    assertNull(p.take(300));
    int[] i = new int[300];
    p.give(i);
    assertNull(p.take(300), "int and float buffers are kept apart");
    assertSame(i, p.takeInts(300));
  }

  @Test
  void aRunsEndKeepsOnlyTheLengthsThatRunAskedFor() {
    BufferPool p = new BufferPool();
    float[] asked = new float[400];
    float[] given = new float[500];
    p.take(400); // asked in this run (none free yet)
    p.give(asked);
    p.give(given); // given, never asked for
    p.endRun();
    assertSame(asked, p.take(400));
    assertNull(p.take(500), "a length the run did not ask for is dropped");
    p.give(asked);
    p.endRun(); // this run asked for 400 and 500
    assertSame(asked, p.take(400));
    p.give(asked);
    p.endRun(); // asked for 400 only
    p.endRun(); // asked for nothing
    assertNull(p.take(400));
  }
}
