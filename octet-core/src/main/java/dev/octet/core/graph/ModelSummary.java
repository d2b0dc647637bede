package dev.octet.core.graph;

import dev.octet.core.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code octet inspect} shows: identity, interface, op-type histogram, parameters by type and
 * whether the model is already quantized. A plain record so that it prints as text or JSON.
 *
 * @param opTypes count per op type over all graphs, domain-qualified outside the default domain
 * @param nodeCount nodes of the main graph
 * @param subgraphNodeCount nodes inside If/Loop/Scan bodies
 * @param quantizationOps the op types that make the model a quantized one, with counts
 */
public record ModelSummary(
    long irVersion,
    String producer,
    String producerVersion,
    Map<String, Long> opsets,
    List<Io> inputs,
    List<Io> outputs,
    Map<String, Integer> opTypes,
    int nodeCount,
    int subgraphNodeCount,
    long parameterCount,
    long parameterBytes,
    Map<String, Params> parametersByType,
    boolean quantized,
    Map<String, Integer> quantizationOps,
    Map<String, String> metadata) {

  /** A graph input or output: shape entries are numbers, symbolic names, or "?" when unknown. */
  public record Io(String name, String type, List<Object> shape) {}

  /** Parameter tensors of one element type. */
  public record Params(int tensors, long elements, long bytes) {}

  /** Op types that only appear in quantized models. */
  static final Set<String> QUANT_OPS =
      Set.of(
          "QuantizeLinear",
          "DequantizeLinear",
          "DynamicQuantizeLinear",
          "QLinearConv",
          "QLinearMatMul",
          "MatMulInteger",
          "ConvInteger",
          "com.microsoft.QLinearAdd",
          "com.microsoft.QLinearMul",
          "com.microsoft.QLinearGlobalAveragePool",
          "com.microsoft.QLinearAveragePool",
          "com.microsoft.QLinearConcat",
          "com.microsoft.QLinearSigmoid",
          "com.microsoft.QLinearLeakyRelu",
          "com.microsoft.QLinearSoftmax",
          "com.microsoft.QGemm",
          "com.microsoft.QAttention",
          "com.microsoft.DynamicQuantizeMatMul",
          "com.microsoft.MatMulIntegerToFloat",
          "com.microsoft.MatMulNBits",
          "com.microsoft.QuantizeLinear",
          "com.microsoft.DequantizeLinear",
          "com.microsoft.QEmbedLayerNormalization");

  public static ModelSummary of(Model model) {
    Graph g = model.graph();
    Map<String, Long> opsets = new LinkedHashMap<>();
    model
        .opsetImports()
        .forEach(o -> opsets.put(o.domain().isEmpty() ? "ai.onnx" : o.domain(), o.version()));
    Map<String, Integer> ops = new TreeMap<>();
    int[] nested = new int[1];
    countOps(g, ops, nested, false);
    Map<String, Integer> quantOps = new TreeMap<>();
    ops.forEach(
        (op, n) -> {
          if (QUANT_OPS.contains(op)) {
            quantOps.put(op, n);
          }
        });
    Map<String, Params> byType = new TreeMap<>();
    long count = 0;
    long bytes = 0;
    for (Tensor t : g.initializers().values()) {
      count += t.size();
      bytes += t.byteSize();
      byType.merge(
          t.dtype().onnxName(),
          new Params(1, t.size(), t.byteSize()),
          (a, b) -> new Params(a.tensors + b.tensors, a.elements + b.elements, a.bytes + b.bytes));
    }
    return new ModelSummary(
        model.irVersion(),
        model.producerName(),
        model.producerVersion(),
        opsets,
        io(g.realInputs()),
        io(g.outputs()),
        ops,
        g.nodes().size(),
        nested[0],
        count,
        bytes,
        byType,
        !quantOps.isEmpty(),
        quantOps,
        model.metadata());
  }

  private static void countOps(Graph g, Map<String, Integer> ops, int[] nested, boolean inside) {
    for (Node n : g.nodes()) {
      ops.merge(n.qualifiedOpType(), 1, Integer::sum);
      if (inside) {
        nested[0]++;
      }
      for (Graph sub : Graph.subgraphs(n)) {
        countOps(sub, ops, nested, true);
      }
    }
  }

  private static List<Io> io(List<ValueInfo> values) {
    List<Io> out = new ArrayList<>();
    for (ValueInfo v : values) {
      ValueType.TensorType t = v.tensorType();
      if (t == null) {
        out.add(new Io(v.name(), v.type() == null ? "?" : v.type().toString(), null));
        continue;
      }
      List<Object> shape = null;
      if (t.shape() != null) {
        shape = new ArrayList<>();
        for (Dim d : t.shape()) {
          shape.add(
              switch (d) {
                case Dim.Fixed f -> f.value();
                case Dim.Symbolic s -> s.name();
                case Dim.Unknown u -> "?";
              });
        }
      }
      out.add(new Io(v.name(), t.elemType().onnxName(), shape));
    }
    return out;
  }
}
