package dev.octet.runtime.fusion;

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
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weight-only quantization (float activations, DequantizeLinear on an 8-bit weight) runs as W8A32:
 * the weight stays packed in bytes and the result matches dequantize-then-MatMul in float.
 */
class WeightOnlyTest {
  @ParameterizedTest
  @CsvSource({"1, 37, 50, false", "3, 384, 97, true", "9, 700, 48, false", "130, 64, 130, true"})
  void matMulOnDequantizedWeightRunsOnPackedBytes(int m, int k, int n, boolean uint8) {
    Random r = new Random(m * 7L + k);
    byte[] w = new byte[k * n];
    r.nextBytes(w);
    float[] scale = new float[n];
    byte[] zp = new byte[n];
    float[] bias = new float[n];
    for (int j = 0; j < n; j++) {
      scale[j] = 0.001f + r.nextFloat() * 0.01f;
      zp[j] = (byte) (uint8 ? 120 + r.nextInt(16) : 0);
      bias[j] = r.nextFloat() - 0.5f;
    }
    DType type = uint8 ? DType.UINT8 : DType.INT8;
    Model model =
        Model.of(
            new GraphEditor("w8")
                .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, m, k)))
                .addOutput(new ValueInfo("y", null))
                .putInitializer("w", Tensor.wrap(type, new int[] {k, n}, w))
                .putInitializer("ws", Tensor.wrap(scale, n))
                .putInitializer("wz", Tensor.wrap(type, new int[] {n}, zp))
                .putInitializer("b", Tensor.wrap(bias, n))
                .addNode(
                    new Node(
                        "dq",
                        "DequantizeLinear",
                        List.of("w", "ws", "wz"),
                        List.of("w_dq"),
                        Attributes.of(Map.of("axis", AttributeValue.of(1L)))))
                .addNode(
                    new Node(
                        "mm", "MatMul", List.of("x", "w_dq"), List.of("h"), Attributes.empty()))
                .addNode(
                    new Node("add", "Add", List.of("h", "b"), List.of("y"), Attributes.empty()))
                .freeze(),
            8,
            List.of(new OpsetImport("", 13)));
    float[] x = new float[m * k];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Map<String, Tensor> in = Map.of("x", Tensor.wrap(x, m, k));
    try (Session fused = Session.create(model);
        Session reference = Session.create(model, SessionOptions.defaults().withFusion(false))) {
      assertTrue(
          fused.plan().integerGroups().equals(List.of("node 'mm' (MatMul) -> com.octet.MatMulW8")),
          fused.plan().integerGroups().toString());
      assertTrue(
          fused.plan().residentBytes() < reference.plan().residentBytes() * 0.6,
          fused.plan().residentBytes() + " vs " + reference.plan().residentBytes());
      float[] a = fused.run(in).get("y").floats();
      float[] b = reference.run(in).get("y").floats();
      double max = 0;
      double scaleOf = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
        scaleOf = Math.max(scaleOf, Math.abs(b[i]));
      }
      assertTrue(max <= 1e-5 * scaleOf + 1e-6, "max |diff| " + max + " of " + scaleOf);
    }
  }
}
