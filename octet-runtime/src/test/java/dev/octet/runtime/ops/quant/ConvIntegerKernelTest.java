package dev.octet.runtime.ops.quant;

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
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The GEMM-based QLinearConv and ConvInteger against the direct reference loops. */
class ConvIntegerKernelTest {
  @ParameterizedTest
  @CsvSource({
    // c, m, h, w, k, stride, pad, dilation, group, uint8 weights, per-channel
    "3, 4, 5, 7, 3, 1, 1, 1, 1, false, true",
    "16, 64, 13, 13, 1, 1, 0, 1, 1, false, true",
    "5, 9, 9, 6, 3, 2, 0, 1, 1, true, false",
    "8, 12, 11, 11, 3, 2, 2, 2, 2, false, true",
    "6, 8, 7, 5, 2, 1, 1, 1, 2, true, true",
    "4, 4, 6, 6, 3, 1, 1, 1, 4, false, true",
    // K = 576 > Igemm.KC: two exact chunks; 3 x 50 positions end in a partial GEMM panel
    "64, 10, 5, 50, 3, 1, 1, 1, 1, true, true",
    "3, 16, 31, 29, 3, 2, 0, 1, 1, false, true"
  })
  void matchesReference(
      int c,
      int m,
      int h,
      int w,
      int k,
      int stride,
      int pad,
      int dil,
      int group,
      boolean uint8Weights,
      boolean perChannel) {
    Random r = new Random(c * 1000L + m * 100L + h * 10L + k);
    Tensor x = random(DType.UINT8, r, 2, c, h, w);
    Tensor wt = random(uint8Weights ? DType.UINT8 : DType.INT8, r, m, c / group, k, k);
    int channels = perChannel ? m : 1;
    float[] ws = new float[channels];
    byte[] wz = new byte[channels];
    for (int i = 0; i < channels; i++) {
      ws[i] = 0.001f + r.nextFloat() * 0.01f;
      wz[i] = (byte) (uint8Weights ? 100 + r.nextInt(50) : r.nextInt(7) - 3);
    }
    int[] bias = new int[m];
    for (int i = 0; i < m; i++) {
      bias[i] = r.nextInt(20001) - 10000;
    }
    Map<String, AttributeValue> attrs =
        Map.of(
            "strides", AttributeValue.ints(stride, stride),
            "pads", AttributeValue.ints(pad, pad, pad, pad),
            "dilations", AttributeValue.ints(dil, dil),
            "group", AttributeValue.of((long) group));
    Node node =
        new Node(
            "qconv",
            "QLinearConv",
            List.of("x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"),
            List.of("y"),
            Attributes.of(attrs));
    Tensor[] in = {
      x,
      Tensor.scalar(0.02f),
      Tensor.wrap(DType.UINT8, new int[0], new byte[] {(byte) 131}),
      wt,
      Tensor.wrap(ws, channels),
      Tensor.wrap(wt.dtype(), new int[] {channels}, wz),
      Tensor.scalar(0.05f),
      Tensor.wrap(DType.UINT8, new int[0], new byte[] {(byte) 120}),
      Tensor.wrap(bias, m)
    };
    Tensor[] constants = in.clone();
    constants[0] = null;
    OpContext op = new OpContext(node, 10, constants);
    Tensor expected = new ConvIntegerReference(op, true).run(new ExecContext(null, 1), in)[0];
    Tensor fast = new ConvIntegerKernel(op, true).run(new ExecContext(new WorkerPool(2), 2), in)[0];
    assertArrayEquals(expected.shape(), fast.shape());
    assertArrayEquals(expected.bytes(), fast.bytes());
    int differing = 0;
    for (byte v : fast.bytes()) {
      differing += v != fast.bytes()[0] ? 1 : 0;
    }
    assertEquals(true, differing > fast.size() / 4, "output is not saturated to a constant");

    Node conv =
        new Node(
            "iconv",
            "ConvInteger",
            List.of("x", "w", "xz", "wz"),
            List.of("y"),
            Attributes.of(attrs));
    Tensor[] intIn = {in[0], in[3], in[2], in[5]};
    Tensor[] intConst = {null, in[3], in[2], in[5]};
    OpContext iop = new OpContext(conv, 10, intConst);
    assertArrayEquals(
        new ConvIntegerReference(iop, false).run(new ExecContext(null, 1), intIn)[0].ints(),
        new ConvIntegerKernel(iop, false).run(new ExecContext(null, 1), intIn)[0].ints());
  }

  private static Tensor random(DType type, Random r, int... shape) {
    byte[] b = new byte[Tensor.elementCount(shape)];
    r.nextBytes(b);
    return Tensor.wrap(type, shape, b);
  }
}
