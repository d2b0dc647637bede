package dev.octet.core.passes;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a float16 model compute in float32: weights, constants, casts and declared types become
 * float32. With {@code keepInterface} the graph inputs and outputs stay float16 and Cast nodes
 * convert at the boundary (how a runtime executes an fp16 model on a CPU without fp16 kernels);
 * without it, the model's interface becomes float32 too ({@code octet convert --to fp32}).
 */
public final class Float16ToFloat32 {
  private Float16ToFloat32() {}

  /** Whether the main graph holds any float16 weight, constant or declared value. */
  public static boolean usesFloat16(Model model) {
    Graph g = model.graph();
    return g.initializers().values().stream().anyMatch(t -> t.dtype() == DType.FLOAT16)
        || g.inputs().stream().anyMatch(Float16ToFloat32::isHalf)
        || g.outputs().stream().anyMatch(Float16ToFloat32::isHalf)
        || g.nodes().stream()
            .anyMatch(
                n -> n.attributes().asMap().values().stream().anyMatch(Float16ToFloat32::isHalf));
  }

  /** The model with a float32 interface and weights; the model itself when it has no float16. */
  public static Model toFloat32(Model model) {
    return usesFloat16(model) ? apply(model, false) : model;
  }

  public static Model apply(Model model, boolean keepInterface) {
    Graph g = model.graph();
    GraphEditor e = new GraphEditor(g.name()).docString(g.docString());
    g.metadata().forEach(e::putMetadata);
    g.initializers().forEach((name, t) -> e.putInitializer(name, widen(t)));
    g.valueInfos().forEach(v -> e.addValueInfo(widen(v)));
    Map<String, String> renamedInputs = new LinkedHashMap<>();
    for (ValueInfo in : g.inputs()) {
      if (keepInterface && isHalf(in) && !g.initializers().containsKey(in.name())) {
        e.addInput(in);
        renamedInputs.put(in.name(), in.name() + "_fp32");
      } else {
        e.addInput(widen(in));
      }
    }
    Map<String, String> renamedOutputs = new LinkedHashMap<>();
    for (ValueInfo out : g.outputs()) {
      if (keepInterface && isHalf(out)) {
        e.addOutput(out);
        renamedOutputs.put(out.name(), out.name() + "_fp32");
      } else {
        e.addOutput(widen(out));
      }
    }
    for (Node n : g.nodes()) {
      Node w = n.withAttributes(widen(n));
      List<String> in =
          w.inputs().stream()
              .map(s -> renamedInputs.getOrDefault(s, renamedOutputs.getOrDefault(s, s)))
              .toList();
      List<String> out = w.outputs().stream().map(s -> renamedOutputs.getOrDefault(s, s)).toList();
      e.addNode(w.withInputs(in).withOutputs(out));
    }
    renamedInputs.forEach(
        (orig, wide) -> e.addNode(cast(e.freshName("cast_in_" + orig), orig, wide, DType.FLOAT)));
    renamedOutputs.forEach(
        (orig, wide) ->
            e.addNode(cast(e.freshName("cast_out_" + orig), wide, orig, DType.FLOAT16)));
    return model.withGraph(e.freeze());
  }

  private static Node cast(String name, String from, String to, DType type) {
    return new Node(
        name,
        "Cast",
        List.of(from),
        List.of(to),
        Attributes.of(Map.of("to", AttributeValue.of(type.code()))));
  }

  private static Attributes widen(Node n) {
    Map<String, AttributeValue> attrs = new LinkedHashMap<>();
    n.attributes().asMap().forEach((k, v) -> attrs.put(k, widen(v)));
    if (n.opType().equals("Cast")
        && n.domain().isEmpty()
        && n.attributes().getInt("to", 0) == DType.FLOAT16.code()) {
      attrs.put("to", AttributeValue.of(DType.FLOAT.code()));
    }
    return Attributes.of(attrs);
  }

  private static AttributeValue widen(AttributeValue v) {
    if (v instanceof AttributeValue.TensorValue t && t.value().dtype() == DType.FLOAT16) {
      return new AttributeValue.TensorValue(widen(t.value()));
    }
    return v;
  }

  private static boolean isHalf(AttributeValue v) {
    return v instanceof AttributeValue.TensorValue t && t.value().dtype() == DType.FLOAT16;
  }

  private static boolean isHalf(ValueInfo v) {
    return v.tensorType() != null && v.tensorType().elemType() == DType.FLOAT16;
  }

  private static Tensor widen(Tensor t) {
    return t.dtype() == DType.FLOAT16 ? Tensor.wrap(t.toFloatArray(), t.shape()) : t;
  }

  private static ValueInfo widen(ValueInfo v) {
    ValueType.TensorType t = v.tensorType();
    if (t == null || t.elemType() != DType.FLOAT16) {
      return v;
    }
    return new ValueInfo(v.name(), new ValueType.TensorType(DType.FLOAT, t.shape()), v.docString());
  }
}
