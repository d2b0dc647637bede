package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A QDQ network (Conv + Relu, MaxPool, GlobalAveragePool, Flatten, MatMul with a float output)
 * planned with fusion runs its groups as integer kernels and agrees with the same graph computed op
 * by op in float (fusion off); bad quantization parameters fail at planning time naming the node.
 */
class QdqExecutionTest {
  private static final int C = 3;
  private static final int M = 8;
  private static final int CLASSES = 5;

  /** The network; {@code tamper} may change the editor before it is frozen. */
  static Model network(Consumer<GraphEditor> tamper) {
    Random r = new Random(3);
    byte[] w = new byte[M * C * 3 * 3];
    r.nextBytes(w);
    float[] ws = new float[M];
    int[] bias = new int[M];
    float[] bs = new float[M];
    for (int i = 0; i < M; i++) {
      ws[i] = 0.002f + 0.001f * i;
      bs[i] = 0.02f * ws[i];
      bias[i] = r.nextInt(2001) - 500;
    }
    byte[] w2 = new byte[M * CLASSES];
    r.nextBytes(w2);
    GraphEditor e =
        new GraphEditor("qdq")
            .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 2, C, 9, 9)))
            .addOutput(new ValueInfo("logits", null))
            .putInitializer("xs", Tensor.scalar(0.02f))
            .putInitializer("xz", u8(128))
            .putInitializer("w", Tensor.wrap(DType.INT8, new int[] {M, C, 3, 3}, w))
            .putInitializer("ws", Tensor.wrap(ws, M))
            .putInitializer("wz", Tensor.wrap(DType.INT8, new int[] {M}, new byte[M]))
            .putInitializer("b", Tensor.wrap(bias, M))
            .putInitializer("bs", Tensor.wrap(bs, M))
            .putInitializer("bz", Tensor.wrap(new int[M], M))
            .putInitializer("hs", Tensor.scalar(0.01f))
            .putInitializer("hz", u8(0))
            .putInitializer("gs", Tensor.scalar(0.004f))
            .putInitializer("w2", Tensor.wrap(DType.INT8, new int[] {M, CLASSES}, w2))
            .putInitializer("w2s", Tensor.scalar(0.01f))
            .putInitializer("w2z", Tensor.wrap(DType.INT8, new int[0], new byte[] {0}))
            .putInitializer("shape", Tensor.wrap(new long[] {2, M}, 2));
    node(e, "qx", "QuantizeLinear", "x_q", "x", "xs", "xz");
    node(e, "dqx", "DequantizeLinear", "x_dq", "x_q", "xs", "xz");
    e.addNode(
        new Node(
            "dqw",
            "DequantizeLinear",
            List.of("w", "ws", "wz"),
            List.of("w_dq"),
            Attributes.of(Map.of("axis", AttributeValue.of(0L)))));
    e.addNode(
        new Node(
            "dqb",
            "DequantizeLinear",
            List.of("b", "bs", "bz"),
            List.of("b_dq"),
            Attributes.of(Map.of("axis", AttributeValue.of(0L)))));
    e.addNode(
        new Node(
            "conv",
            "Conv",
            List.of("x_dq", "w_dq", "b_dq"),
            List.of("c"),
            Attributes.of(Map.of("pads", AttributeValue.ints(1, 1, 1, 1)))));
    node(e, "relu", "Relu", "r", "c");
    node(e, "qr", "QuantizeLinear", "r_q", "r", "hs", "hz");
    node(e, "dqr", "DequantizeLinear", "r_dq", "r_q", "hs", "hz");
    e.addNode(
        new Node(
            "pool",
            "MaxPool",
            List.of("r_dq"),
            List.of("p"),
            Attributes.of(Map.of("kernel_shape", AttributeValue.ints(2, 2)))));
    node(e, "qp", "QuantizeLinear", "p_q", "p", "hs", "hz");
    node(e, "dqp", "DequantizeLinear", "p_dq", "p_q", "hs", "hz");
    node(e, "gap", "GlobalAveragePool", "g", "p_dq");
    node(e, "qg", "QuantizeLinear", "g_q", "g", "gs", "hz");
    node(e, "dqg", "DequantizeLinear", "g_dq", "g_q", "gs", "hz");
    node(e, "reshape", "Reshape", "f", "g_dq", "shape");
    node(e, "qf", "QuantizeLinear", "f_q", "f", "gs", "hz");
    node(e, "dqf", "DequantizeLinear", "f_dq", "f_q", "gs", "hz");
    node(e, "dqw2", "DequantizeLinear", "w2_dq", "w2", "w2s", "w2z");
    node(e, "fc", "MatMul", "logits", "f_dq", "w2_dq");
    tamper.accept(e);
    return Model.of(e.freeze(), 8, List.of(new OpsetImport("", 13)));
  }

  private static Tensor u8(int v) {
    return Tensor.wrap(DType.UINT8, new int[0], new byte[] {(byte) v});
  }

  private static void node(GraphEditor e, String name, String op, String out, String... in) {
    e.addNode(new Node(name, op, List.of(in), List.of(out), Attributes.empty()));
  }

  private static Map<String, Tensor> input() {
    Random r = new Random(11);
    float[] x = new float[2 * C * 81];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return Map.of("x", Tensor.wrap(x, 2, C, 9, 9));
  }

  @Test
  void groupsRunAsIntegerKernelsAndAgreeWithFloatSimulation() {
    Model m = network(e -> {});
    try (Session fused = Session.create(m);
        Session reference = Session.create(m, SessionOptions.defaults().withFusion(false))) {
      List<String> groups = fused.plan().integerGroups();
      String all = String.join("\n", groups);
      for (String op :
          List.of(
              "QLinearConv",
              "MaxPool",
              "com.microsoft.QLinearGlobalAveragePool",
              "Reshape",
              "com.microsoft.MatMulIntegerToFloat")) {
        assertTrue(all.contains("-> " + op), op + " not fused in:\n" + all);
      }
      assertEquals(5, groups.size(), all);
      assertTrue(
          fused.plan().steps().stream()
              .noneMatch(s -> s.node().opType().equals("DequantizeLinear")),
          "no DequantizeLinear left to run");
      // weights are never dequantized: no float constant as large as the smaller weight (40)
      for (Tensor t : fused.plan().constants()) {
        assertTrue(
            t == null || t.dtype() != DType.FLOAT || t.size() < M * CLASSES,
            "a float constant of " + (t == null ? 0 : t.size()) + " values");
      }
      assertTrue(
          java.util.Arrays.stream(reference.plan().constants())
              .anyMatch(t -> t != null && t.dtype() == DType.FLOAT && t.size() == M * C * 9),
          "without fusion the weights are folded into floats");
      float[] a = fused.run(input()).get("logits").floats();
      float[] b = reference.run(input()).get("logits").floats();
      // one requantization step of the pooled features (0.004) times the largest |weight| row sum
      double step = 0.004 * 0.01 * 128 * M;
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertTrue(max <= step, "fused vs op-by-op: max |diff| " + max + " > " + step);
      assertTrue(b[0] != b[1] || b[1] != b[2], "the logits are not constant");
    }
  }

  @Test
  void badQuantizationParametersFailAtPlanningNamingTheNode() {
    Map<String, Consumer<GraphEditor>> cases =
        Map.of(
            "zero scale",
            e -> e.putInitializer("hs", Tensor.scalar(0f)),
            "NaN scale",
            e -> e.putInitializer("w2s", Tensor.scalar(Float.NaN)),
            "negative per-channel scale",
            e -> e.putInitializer("ws", Tensor.wrap(new float[] {1, 1, 1, -1, 1, 1, 1, 1}, M)),
            "per-axis lengths",
            e -> e.putInitializer("wz", Tensor.wrap(DType.INT8, new int[] {3}, new byte[3])),
            "bias scale",
            e -> {
              float[] wrong = new float[M];
              java.util.Arrays.fill(wrong, 1e-4f);
              e.putInitializer("bs", Tensor.wrap(wrong, M));
            });
    cases.forEach(
        (what, tamper) -> {
          Model m = network(tamper);
          OctetException ex =
              assertThrows(OctetException.class, () -> Session.create(m).close(), what);
          assertTrue(
              ex.getMessage().matches("(?s).*node '[a-z0-9]+'.*"),
              what + ": the message names no node: " + ex.getMessage());
          System.out.println(what + ": " + ex.getMessage());
        });
  }
}
