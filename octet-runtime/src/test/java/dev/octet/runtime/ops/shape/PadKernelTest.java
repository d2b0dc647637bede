package dev.octet.runtime.ops.shape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Node;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.kernel.WorkerPool;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Constant padding that only grows (the row-copy path) against the definition: every output element
 * is the input element it maps back to, or the fill value.
 */
class PadKernelTest {
  @ParameterizedTest
  @CsvSource({
    "'2,3,5,7', '0,0,1,2,1,1,0,3', 0",
    "'1,3,4,4', '0,0,0,0,0,1,0,0', 0",
    "'1,3,4,4', '0,0,0,0,0,1,0,0', 2.5",
    "'7', '3,4', -1",
    "'3,1,2', '1,0,0,0,2,5', 7",
    "'2,0,3', '0,1,0,1,0,1', 1"
  })
  void growsLikeTheDefinition(String shapeText, String padsText, float fill) {
    int[] shape = ints(shapeText);
    long[] pads = java.util.Arrays.stream(ints(padsText)).asLongStream().toArray();
    int r = shape.length;
    Random rnd = new Random(shape.length * 31L + pads.length);
    float[] x = new float[Tensor.elementCount(shape)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    int[] out = new int[r];
    for (int d = 0; d < r; d++) {
      out[d] = (int) (shape[d] + pads[d] + pads[d + r]);
    }
    float[] want = new float[Tensor.elementCount(out)];
    int[] pos = new int[r];
    for (int i = 0; i < want.length; i++) {
      int src = 0;
      boolean inside = true;
      for (int d = 0; d < r; d++) {
        int p = (int) (pos[d] - pads[d]);
        inside &= p >= 0 && p < shape[d];
        src = src * shape[d] + p;
      }
      want[i] = inside ? x[src] : fill;
      for (int d = r - 1; d >= 0 && ++pos[d] == out[d]; d--) {
        pos[d] = 0;
      }
    }
    ExecContext ctx = new ExecContext(new WorkerPool(1), 1);
    Tensor got = pad(ctx, Tensor.wrap(x, shape), pads, Tensor.wrap(new float[] {fill}, 1));
    assertArrayEquals(out, got.shape());
    assertArrayEquals(want, got.floats());
    // again into a recycled buffer full of garbage, with the default (zero) fill
    java.util.Arrays.fill(got.floats(), Float.NaN);
    ctx.recycle(got.floats());
    Tensor zeroFilled = pad(ctx, Tensor.wrap(x, shape), pads, null);
    for (int i = 0; i < want.length; i++) {
      float expected = isInside(i, out, shape, pads) ? want[i] : 0f;
      assertEquals(expected, zeroFilled.floats()[i], "element " + i);
    }

    // the same on bytes (a quantized tensor padded with its zero point)
    byte[] xb = new byte[x.length];
    byte[] wantB = new byte[want.length];
    for (int i = 0; i < xb.length; i++) {
      xb[i] = (byte) Math.round(x[i] * 20);
    }
    for (int i = 0; i < wantB.length; i++) {
      wantB[i] = want[i] == fill ? (byte) fill : (byte) Math.round(want[i] * 20);
    }
    Tensor gotB =
        pad(
            ctx,
            Tensor.wrap(DType.INT8, shape, xb),
            pads,
            Tensor.wrap(DType.INT8, new int[] {1}, new byte[] {(byte) fill}));
    assertArrayEquals(wantB, (byte[]) gotB.data());
  }

  private static boolean isInside(int i, int[] out, int[] shape, long[] pads) {
    int r = out.length;
    for (int d = r - 1; d >= 0; d--) {
      int p = (int) (i % out[d] - pads[d]);
      if (p < 0 || p >= shape[d]) {
        return false;
      }
      i /= out[d];
    }
    return true;
  }

  private static Tensor pad(ExecContext ctx, Tensor x, long[] pads, Tensor value) {
    Node n =
        new Node(
            "pad", "Pad", List.of("x", "pads", "value"), List.of("y"), Attributes.of(Map.of()));
    PadKernel k = new PadKernel(new OpContext(n, 18, new Tensor[3]));
    Tensor p = Tensor.wrap(pads, pads.length);
    return k.run(ctx, new Tensor[] {x, p, value})[0];
  }

  private static int[] ints(String s) {
    return java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}
