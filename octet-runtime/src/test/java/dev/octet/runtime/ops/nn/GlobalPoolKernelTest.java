package dev.octet.runtime.ops.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GlobalAveragePool and GlobalMaxPool against their definition, on enough planes to run in parallel
 * chunks, with the same bits at one and three threads.
 */
class GlobalPoolKernelTest {
  @Test
  void averagesAndMaximaPerPlaneWhateverTheThreads() {
    int[] shape = {2, 301, 13, 13};
    int size = 13 * 13;
    int planes = 2 * 301;
    float[] x = new float[planes * size];
    Random r = new Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Tensor in = Tensor.wrap(x, shape);
    try (WorkerPool pool = new WorkerPool(3)) {
      for (boolean max : new boolean[] {false, true}) {
        GlobalPoolKernel kernel = new GlobalPoolKernel(max);
        Tensor one = kernel.run(new ExecContext(null, 1), new Tensor[] {in})[0];
        Tensor three = kernel.run(new ExecContext(pool, 3), new Tensor[] {in})[0];
        assertArrayEquals(new int[] {2, 301, 1, 1}, one.shape());
        assertArrayEquals(one.floats(), three.floats(), max ? "max" : "average");
        for (int p = 0; p < planes; p++) {
          double expected = max ? Double.NEGATIVE_INFINITY : 0;
          for (int i = 0; i < size; i++) {
            float v = x[p * size + i];
            expected = max ? Math.max(expected, v) : expected + v / (double) size;
          }
          assertEquals(expected, one.floats()[p], max ? 0 : 1e-5, "plane " + p);
        }
      }
    }
  }
}
