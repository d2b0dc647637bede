package dev.octet.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.eval.engine.OrtEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Octet's kernels for the {@code com.microsoft} quantized ops that ONNX Runtime's quantizer writes,
 * against ONNX Runtime itself: one-node models on random data; integer outputs may differ by one
 * unit (rounding ties), and must be exactly equal on almost every element.
 */
class ContribQuantOpsTest {
  private static final String MS = "com.microsoft";
  private final Random random = new Random(7);

  /** One node in a model: data inputs are graph inputs, everything else initializers. */
  private final class Case {
    final String op;
    final List<String> inputs = new ArrayList<>();
    final Map<String, Tensor> data = new LinkedHashMap<>();
    final Map<String, Tensor> constants = new LinkedHashMap<>();
    final Map<String, AttributeValue> attrs = new LinkedHashMap<>();

    Case(String op) {
      this.op = op;
    }

    Case data(String name, Tensor t) {
      inputs.add(name);
      data.put(name, t);
      return this;
    }

    Case constant(String name, Tensor t) {
      inputs.add(name);
      constants.put(name, t);
      return this;
    }

    Case none() {
      inputs.add("");
      return this;
    }

    Case attr(String name, AttributeValue v) {
      attrs.put(name, v);
      return this;
    }

    /** Runs in both engines; returns {max |diff|, share of exactly equal elements}. */
    double[] compare() {
      GraphEditor e = new GraphEditor(op + "_test");
      data.forEach((n, t) -> e.addInput(new ValueInfo(n, type(t))));
      constants.forEach(e::putInitializer);
      e.addNode(new Node("n", MS, op, inputs, List.of("y"), Attributes.of(attrs), ""));
      e.addOutput(new ValueInfo("y", null));
      Model m = Model.of(e.freeze(), 8, List.of(new OpsetImport("", 13), new OpsetImport(MS, 1)));
      try (OctetEngine octet = new OctetEngine(m, 1);
          OrtEngine ort = new OrtEngine(m, 1)) {
        Tensor a = octet.run(data).get("y");
        Tensor b = ort.run(data).get("y");
        assertArrayEquals(b.shape(), a.shape(), op + " shape");
        assertTrue(a.dtype() == b.dtype(), op + " type " + a.dtype() + " vs " + b.dtype());
        double max = 0;
        int equal = 0;
        double scale = 0;
        for (int i = 0; i < a.size(); i++) {
          double d = Math.abs(a.getDouble(i) - b.getDouble(i));
          max = Math.max(max, d);
          equal += d == 0 ? 1 : 0;
          scale = Math.max(scale, Math.abs(b.getDouble(i)));
        }
        System.out.printf(
            "%-26s %6d elements, max |diff| %.3g, equal %.4f%n",
            op, a.size(), max, equal / (double) a.size());
        return new double[] {
          a.dtype().isFloatingPoint() ? max / scale : max, equal / (double) a.size()
        };
      }
    }
  }

  private static ValueType type(Tensor t) {
    long[] dims = new long[t.rank()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.dim(i);
    }
    return ValueType.tensor(t.dtype(), dims);
  }

  private Tensor bytes(DType type, int... shape) {
    byte[] b = new byte[Tensor.elementCount(shape)];
    random.nextBytes(b);
    return Tensor.wrap(type, shape, b);
  }

  /**
   * int8 weights of 7 bits (-64..63), as ONNX Runtime's reduce_range makes them: its u8 x s8 GEMM
   * on x86 without VNNI adds pairs of products in saturating 16-bit lanes (AVX2's vpmaddubsw), so
   * with full-range weights its own results are off there (a Zen 1 EPYC: QGemm by 12,
   * MatMulIntegerToFloat by 0.27) and would be no oracle; these are exact on every CPU.
   */
  private Tensor weights(int... shape) {
    byte[] b = new byte[Tensor.elementCount(shape)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (random.nextInt(128) - 64);
    }
    return Tensor.wrap(DType.INT8, shape, b);
  }

  private static Tensor zp(DType type, int v) {
    return Tensor.wrap(type, new int[0], new byte[] {(byte) v});
  }

  private static void assertClose(double[] r, double maxDiff, double minEqual) {
    assertTrue(r[0] <= maxDiff, "max difference " + r[0]);
    assertTrue(r[1] >= minEqual, "share of equal elements " + r[1]);
  }

  @Test
  void addAndMulWithBroadcasting() {
    for (String op : List.of("QLinearAdd", "QLinearMul")) {
      for (DType t : List.of(DType.UINT8, DType.INT8)) {
        int z = t == DType.UINT8 ? 128 : 3;
        double[] r =
            new Case(op)
                .data("a", bytes(t, 2, 3, 4, 5))
                .constant("as", Tensor.scalar(0.05f))
                .constant("az", zp(t, z))
                .data("b", bytes(t, 5))
                .constant("bs", Tensor.scalar(0.03f))
                .constant("bz", zp(t, z - 2))
                .constant("cs", Tensor.scalar(op.equals("QLinearAdd") ? 0.07f : 0.4f))
                .constant("cz", zp(t, z + 1))
                .compare();
        assertClose(r, 1, 0.98);
      }
    }
  }

  @Test
  void lookupOps() {
    assertClose(
        new Case("QLinearSigmoid")
            .data("x", bytes(DType.UINT8, 4, 64))
            .constant("xs", Tensor.scalar(0.06f))
            .constant("xz", zp(DType.UINT8, 120))
            .constant("ys", Tensor.scalar(1 / 256f))
            .constant("yz", zp(DType.UINT8, 0))
            .compare(),
        1,
        0.98);
    assertClose(
        new Case("QLinearLeakyRelu")
            .data("x", bytes(DType.INT8, 4, 64))
            .constant("xs", Tensor.scalar(0.02f))
            .constant("xz", zp(DType.INT8, -5))
            .constant("ys", Tensor.scalar(0.015f))
            .constant("yz", zp(DType.INT8, -20))
            .attr("alpha", AttributeValue.of(0.1f))
            .compare(),
        1,
        0.98);
  }

  @Test
  void pooling() {
    assertClose(
        new Case("QLinearGlobalAveragePool")
            .data("x", bytes(DType.UINT8, 2, 8, 7, 7))
            .constant("xs", Tensor.scalar(0.02f))
            .constant("xz", zp(DType.UINT8, 100))
            .constant("ys", Tensor.scalar(0.01f))
            .constant("yz", zp(DType.UINT8, 110))
            .attr("channels_last", AttributeValue.of(0L))
            .compare(),
        1,
        0.9);
    for (long include : new long[] {0, 1}) {
      assertClose(
          new Case("QLinearAveragePool")
              .data("x", bytes(DType.UINT8, 1, 4, 9, 9))
              .constant("xs", Tensor.scalar(0.02f))
              .constant("xz", zp(DType.UINT8, 100))
              .constant("ys", Tensor.scalar(0.01f))
              .constant("yz", zp(DType.UINT8, 110))
              .attr("kernel_shape", AttributeValue.ints(3, 3))
              .attr("strides", AttributeValue.ints(2, 2))
              .attr("pads", AttributeValue.ints(1, 1, 1, 1))
              .attr("count_include_pad", AttributeValue.of(include))
              .compare(),
          1,
          0.9);
    }
  }

  @Test
  void concatRequantizesEachInput() {
    assertClose(
        new Case("QLinearConcat")
            .constant("ys", Tensor.scalar(0.05f))
            .constant("yz", zp(DType.UINT8, 128))
            .data("x0", bytes(DType.UINT8, 2, 3, 5))
            .constant("s0", Tensor.scalar(0.05f))
            .constant("z0", zp(DType.UINT8, 128))
            .data("x1", bytes(DType.UINT8, 2, 4, 5))
            .constant("s1", Tensor.scalar(0.02f))
            .constant("z1", zp(DType.UINT8, 90))
            .data("x2", bytes(DType.UINT8, 2, 1, 5))
            .constant("s2", Tensor.scalar(0.11f))
            .constant("z2", zp(DType.UINT8, 140))
            .attr("axis", AttributeValue.of(1L))
            .compare(),
        1,
        0.98);
  }

  @Test
  void qgemmQuantizedAndFloat() {
    int m = 7;
    int k = 37;
    int n = 19;
    int[] bias = new int[n];
    for (int i = 0; i < n; i++) {
      bias[i] = random.nextInt(4001) - 2000;
    }
    float[] bs = new float[n];
    byte[] bz = new byte[n];
    for (int i = 0; i < n; i++) {
      bs[i] = 0.001f + random.nextFloat() * 0.004f;
    }
    for (boolean quantizedOut : new boolean[] {true, false}) {
      Case c =
          new Case("QGemm")
              .data("a", bytes(DType.UINT8, m, k))
              .constant("as", Tensor.scalar(0.02f))
              .constant("az", zp(DType.UINT8, 125))
              .constant("b", weights(n, k))
              .constant("bs", Tensor.wrap(bs, n))
              .constant("bz", Tensor.wrap(DType.INT8, new int[] {n}, bz))
              .constant("c", Tensor.wrap(bias, n))
              .attr("transB", AttributeValue.of(1L))
              .attr("alpha", AttributeValue.of(1f));
      if (quantizedOut) {
        c.constant("ys", Tensor.scalar(0.2f)).constant("yz", zp(DType.UINT8, 128));
      }
      assertClose(c.compare(), quantizedOut ? 1 : 1e-6, quantizedOut ? 0.98 : 0);
    }
  }

  @Test
  void matMulToFloatStaticAndDynamic() {
    int k = 48;
    int n = 33;
    float[] bias = new float[n];
    float[] bs = new float[n];
    for (int i = 0; i < n; i++) {
      bias[i] = random.nextFloat() - 0.5f;
      bs[i] = 0.002f + random.nextFloat() * 0.002f;
    }
    Tensor w = weights(k, n);
    assertClose(
        new Case("MatMulIntegerToFloat")
            .data("a", bytes(DType.UINT8, 2, 5, k))
            .constant("b", w)
            .constant("as", Tensor.scalar(0.03f))
            .constant("bs", Tensor.wrap(bs, n))
            .constant("az", zp(DType.UINT8, 130))
            .constant("bz", Tensor.wrap(DType.INT8, new int[] {n}, new byte[n]))
            .constant("bias", Tensor.wrap(bias, n))
            .compare(),
        1e-6,
        0);
    float[] x = new float[3 * 9 * k];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian() * 2 + 0.3f;
    }
    assertClose(
        new Case("DynamicQuantizeMatMul")
            .data("a", Tensor.wrap(x, 3, 9, k))
            .constant("b", w)
            .constant("bs", Tensor.wrap(bs, n))
            .none()
            .constant("bias", Tensor.wrap(bias, n))
            .compare(),
        1e-5,
        0);
  }
}
