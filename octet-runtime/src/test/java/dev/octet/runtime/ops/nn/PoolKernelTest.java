package dev.octet.runtime.ops.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Node;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.kernel.WorkerPool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MaxPool against the definition (every window's maximum over the cells inside the image), in float
 * through the vectorised rows-then-windows path, and on 8-bit planes (a QDQ model's integer
 * pooling), on odd sizes, strides 1-3, pads and ceil mode.
 */
class PoolKernelTest {
  @ParameterizedTest
  @CsvSource({
    "2, 3, 111, 111, 3, 2, 0, 0",
    "1, 2, 27, 27, 3, 2, 0, 1",
    "1, 3, 13, 40, 3, 1, 1, 0",
    "2, 1, 9, 17, 3, 3, 1, 1",
    "1, 2, 8, 8, 2, 2, 0, 0",
    "1, 1, 5, 33, 3, 2, 1, 1",
    "1, 1, 3, 3, 3, 1, 0, 0",
    "1, 3, 28, 29, 2, 2, 0, 1",
    "1, 2, 14, 14, 3, 3, 0, 0",
    "2, 2, 5, 19, 4, 1, 2, 0",
    "1, 1, 2, 2, 5, 1, 2, 0",
    "1, 2, 37, 35, 5, 2, 1, 1"
  })
  void matchesTheDefinition(int n, int c, int h, int w, int k, int s, int pad, int ceil) {
    Map<String, AttributeValue> a = new HashMap<>();
    a.put("kernel_shape", AttributeValue.ints(k, k));
    a.put("strides", AttributeValue.ints(s, s));
    a.put("pads", AttributeValue.ints(pad, pad, pad, pad));
    a.put("ceil_mode", AttributeValue.of((long) ceil));
    Node node = new Node("pool", "MaxPool", List.of("x"), List.of("y"), Attributes.of(a));
    PoolKernel kernel = new PoolKernel(new OpContext(node, 12, new Tensor[1]), true);
    ExecContext ctx = new ExecContext(new WorkerPool(2), 2);
    Random r = new Random(h * 31L + w);
    byte[] q = new byte[n * c * h * w];
    r.nextBytes(q);
    float[] f = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      f[i] = q[i] & 0xff;
    }
    int[] shape = {n, c, h, w};
    Tensor yf = kernel.run(ctx, new Tensor[] {Tensor.wrap(f, shape)})[0];
    Tensor yu = kernel.run(ctx, new Tensor[] {Tensor.wrap(DType.UINT8, shape, q)})[0];
    Tensor ys = kernel.run(ctx, new Tensor[] {Tensor.wrap(DType.INT8, shape, q)})[0];
    assertArrayEquals(yf.shape(), yu.shape());
    int oh = yf.dim(2);
    int ow = yf.dim(3);
    for (int p = 0; p < n * c; p++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          int best = -1;
          int bestSigned = Integer.MIN_VALUE;
          for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
              int iy = oy * s - pad + ky;
              int ix = ox * s - pad + kx;
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                best = Math.max(best, q[(p * h + iy) * w + ix] & 0xff);
                bestSigned = Math.max(bestSigned, q[(p * h + iy) * w + ix]);
              }
            }
          }
          int o = (p * oh + oy) * ow + ox;
          String at = p + "," + oy + "," + ox;
          assertEquals(best, yf.floats()[o], at);
          assertEquals(best, yu.bytes()[o] & 0xff, at);
          assertEquals(bestSigned, ys.bytes()[o], at);
        }
      }
    }
  }
}
