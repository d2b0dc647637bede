package dev.octet.runtime.ops.shape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.WorkerPool;
import dev.octet.runtime.ops.Shapes;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The float transpose (row copies, blocked matrix transposes, strided copies; chunks over threads)
 * against the definition, out[i] = x[sum of i_d * stride of source axis perm[d]], for every
 * permutation of odd-sized shapes, on one and two threads.
 */
class TransposeKernelTest {
  @ParameterizedTest(name = "shape {0}")
  @CsvSource({"'2,37,3,32'", "'1,128,12,32'", "'3,17,33'", "'19,16'", "'5,1,40,2'", "'7'"})
  void everyPermutationMatchesTheDefinition(String dims) {
    String[] parts = dims.split(",");
    int[] shape = new int[parts.length];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Integer.parseInt(parts[i].trim());
    }
    float[] x = new float[dev.octet.core.Tensor.elementCount(shape)];
    Random random = new Random(shape.length * 31L + x.length);
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextFloat();
    }
    try (WorkerPool pool = new WorkerPool(2)) {
      for (int[] perm : permutations(shape.length)) {
        int r = shape.length;
        int[] st = Shapes.strides(shape);
        int[] out = new int[r];
        int[] strides = new int[r];
        for (int d = 0; d < r; d++) {
          out[d] = shape[perm[d]];
          strides[d] = st[perm[d]];
        }
        float[] want = definition(x, out, strides);
        for (ExecContext ctx :
            new ExecContext[] {new ExecContext(null, 1), new ExecContext(pool, 2)}) {
          float[] got = TransposeKernel.transposeFloats(x, out, strides, ctx);
          assertArrayEquals(
              want,
              java.util.Arrays.copyOf(got, want.length),
              "perm " + java.util.Arrays.toString(perm) + ", " + ctx.threads() + " thread(s)");
        }
      }
    }
  }

  private static float[] definition(float[] x, int[] out, int[] strides) {
    float[] y = new float[dev.octet.core.Tensor.elementCount(out)];
    int[] idx = new int[out.length];
    for (int i = 0; i < y.length; i++) {
      int s = 0;
      for (int d = 0; d < out.length; d++) {
        s += idx[d] * strides[d];
      }
      y[i] = x[s];
      for (int d = out.length - 1; d >= 0 && ++idx[d] == out[d]; d--) {
        idx[d] = 0;
      }
    }
    return y;
  }

  private static java.util.List<int[]> permutations(int r) {
    java.util.List<int[]> all = new java.util.ArrayList<>();
    permute(new int[r], new boolean[r], 0, all);
    return all;
  }

  private static void permute(int[] p, boolean[] used, int d, java.util.List<int[]> all) {
    if (d == p.length) {
      all.add(p.clone());
      return;
    }
    for (int v = 0; v < p.length; v++) {
      if (!used[v]) {
        used[v] = true;
        p[d] = v;
        permute(p, used, d + 1, all);
        used[v] = false;
      }
    }
  }
}
