package dev.octet.core.passes;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raises a model's default-domain opset (to 13 for per-channel Q/DQ) and rewrites the nodes whose
 * spelling changed on the way: attributes that became inputs (Squeeze, Unsqueeze, ReduceSum, Split,
 * Clip, Pad), inference Dropout (becomes Identity), removed attributes (consumed_inputs, is_test,
 * spatial), and the 2-D semantics of Softmax/LogSoftmax/Hardmax before 13 (a Flatten and Reshape
 * around them when the axis is not the last non-trivial one). Ops outside the known list must not
 * have changed between the two opsets; anything unknown is refused with its name.
 */
public final class OpsetUpgrade {
  /** Ops whose semantics and spelling are the same from their introduction through opset 13. */
  private static final Set<String> UNCHANGED =
      Set.of(
          "Conv",
          "ConvTranspose",
          "MatMul",
          "Gemm",
          "Add",
          "Sub",
          "Mul",
          "Div",
          "Relu",
          "LeakyRelu",
          "Sigmoid",
          "Tanh",
          "MaxPool",
          "AveragePool",
          "GlobalAveragePool",
          "GlobalMaxPool",
          "Concat",
          "Reshape",
          "Flatten",
          "Transpose",
          "Gather",
          "Shape",
          "Cast",
          "Constant",
          "Identity",
          "Sqrt",
          "Pow",
          "Exp",
          "Log",
          "Erf",
          "Neg",
          "Abs",
          "ReduceMean",
          "ReduceMax",
          "ReduceMin",
          "ReduceProd",
          "Equal",
          "Less",
          "Greater",
          "Where",
          "Not",
          "And",
          "Or",
          "Expand",
          "ConstantOfShape",
          "Slice",
          "Range",
          "Tile",
          "LRN",
          "Floor",
          "Ceil",
          "Reciprocal",
          "Min",
          "Max",
          "Sum",
          "Mean",
          "ArgMax",
          "ArgMin",
          "InstanceNormalization",
          "PRelu",
          "HardSigmoid",
          "Elu",
          "Selu",
          "Softplus",
          "Softsign",
          "MatMulInteger",
          "ConvInteger",
          "QuantizeLinear",
          "DequantizeLinear",
          "QLinearConv",
          "QLinearMatMul",
          "DynamicQuantizeLinear",
          "BatchNormalization",
          "Dropout",
          "Squeeze",
          "Unsqueeze",
          "ReduceSum",
          "Split",
          "Clip",
          "Pad",
          "Softmax",
          "LogSoftmax",
          "Hardmax",
          "Upsample",
          "Resize",
          "TopK",
          "Einsum",
          "GatherElements",
          "CumSum",
          "Round",
          "Sign",
          "Mod",
          "IsNaN",
          "IsInf");

  private OpsetUpgrade() {}

  public static Model to(Model model, int target) {
    long from = model.opsetVersion("");
    if (from >= target) {
      return model;
    }
    Graph g = model.graph();
    GraphEditor e = g.edit();
    for (Node n : g.nodes()) {
      if (!n.domain().isEmpty()) {
        continue;
      }
      if (!UNCHANGED.contains(n.opType())) {
        throw new OctetException(
            n.describe()
                + ": cannot raise the model from opset "
                + from
                + " to "
                + target
                + " (this op is not in Octet's upgrade table); export the model at opset "
                + target
                + " or newer");
      }
      List<Node> replacement = upgrade(n, from, e);
      if (replacement != null) {
        e.replaceNode(n.name(), replacement.toArray(Node[]::new));
      }
    }
    List<OpsetImport> opsets = new ArrayList<>();
    model
        .opsetImports()
        .forEach(o -> opsets.add(o.domain().isEmpty() ? new OpsetImport("", target) : o));
    return model.withGraph(e.freeze()).withOpsetImports(opsets);
  }

  /** The nodes that replace {@code n} at the new opset, or null when it stays as it is. */
  private static List<Node> upgrade(Node n, long from, GraphEditor e) {
    Map<String, AttributeValue> attrs = new LinkedHashMap<>(n.attributes().asMap());
    boolean changed = attrs.keySet().removeAll(Set.of("consumed_inputs", "is_test", "spatial"));
    List<String> inputs = new ArrayList<>(n.inputs());
    switch (n.opType()) {
      case "Dropout" -> {
        // inference: the output is the input. Without a mask it is an Identity; with one, the
        // ratio attribute (before opset 12) becomes the ratio input
        if (n.outputs().size() < 2 || n.output(1).isEmpty()) {
          return List.of(
              new Node(
                  n.name(),
                  "",
                  "Identity",
                  List.of(n.input(0)),
                  List.of(n.output(0)),
                  Attributes.empty(),
                  ""));
        }
        if (attrs.containsKey("ratio")) {
          float ratio = n.attributes().getFloat("ratio", 0.5f);
          attrs.remove("ratio");
          inputs = List.of(n.input(0), constant(e, n.name() + "_ratio", Tensor.scalar(ratio)));
          changed = true;
        }
      }
      case "Squeeze", "Unsqueeze", "ReduceSum" ->
          changed |= attributeToInput(attrs, inputs, "axes", 1, n, e);
      case "Split" -> changed |= attributeToInput(attrs, inputs, "split", 1, n, e);
      case "Clip" -> {
        if (from < 11 && (attrs.containsKey("min") || attrs.containsKey("max"))) {
          float lo = n.attributes().getFloat("min", -Float.MAX_VALUE);
          float hi = n.attributes().getFloat("max", Float.MAX_VALUE);
          attrs.remove("min");
          attrs.remove("max");
          inputs =
              List.of(
                  n.input(0),
                  constant(e, n.name() + "_min", Tensor.scalar(lo)),
                  constant(e, n.name() + "_max", Tensor.scalar(hi)));
          changed = true;
        }
      }
      case "Pad" -> {
        if (from < 11) {
          long[] pads = n.attributes().getInts("pads");
          float value = n.attributes().getFloat("value", 0f);
          attrs.remove("pads");
          attrs.remove("value");
          inputs =
              List.of(
                  n.input(0),
                  constant(e, n.name() + "_pads", Tensor.wrap(pads, pads.length)),
                  constant(e, n.name() + "_value", Tensor.scalar(value)));
          changed = true;
        }
      }
      case "Softmax", "LogSoftmax", "Hardmax" -> {
        if (from < 13) {
          return legacySoftmax(n, attrs, e);
        }
      }
      case "Upsample" ->
          throw new OctetException(
              n.describe() + ": Upsample must be rewritten as Resize before raising the opset");
      default -> {}
    }
    return changed
        ? List.of(
            new Node(
                n.name(), "", n.opType(), inputs, n.outputs(), Attributes.of(attrs), n.docString()))
        : null;
  }

  private static boolean attributeToInput(
      Map<String, AttributeValue> attrs,
      List<String> inputs,
      String name,
      int index,
      Node n,
      GraphEditor e) {
    long[] v = n.attributes().getInts(name);
    if (v == null) {
      return false;
    }
    attrs.remove(name);
    while (inputs.size() < index) {
      inputs.add("");
    }
    inputs.add(index, constant(e, n.name() + "_" + name, Tensor.wrap(v, v.length)));
    return true;
  }

  private static String constant(GraphEditor e, String base, Tensor t) {
    String name = e.freshName(base);
    e.putInitializer(name, t);
    return name;
  }

  /**
   * Before opset 13 softmax normalises the input seen as 2-D [prod(dims < axis), prod(dims >=
   * axis)]; from 13 on it normalises one axis. Flatten to 2-D, softmax on axis 1, and reshape back.
   */
  private static List<Node> legacySoftmax(
      Node n, Map<String, AttributeValue> attrs, GraphEditor e) {
    long axis = n.attributes().getInt("axis", 1);
    String flat = e.freshName(n.output(0) + "_2d");
    String soft = e.freshName(n.output(0) + "_soft2d");
    String shape = e.freshName(n.output(0) + "_shape");
    Map<String, AttributeValue> softAttrs = new LinkedHashMap<>(attrs);
    softAttrs.put("axis", AttributeValue.of(1L));
    return List.of(
        new Node(
            e.freshName(n.name() + "_shape"),
            "",
            "Shape",
            List.of(n.input(0)),
            List.of(shape),
            Attributes.empty(),
            ""),
        new Node(
            e.freshName(n.name() + "_flatten"),
            "",
            "Flatten",
            List.of(n.input(0)),
            List.of(flat),
            Attributes.of(Map.of("axis", AttributeValue.of(axis))),
            ""),
        new Node(
            n.name(),
            "",
            n.opType(),
            List.of(flat),
            List.of(soft),
            Attributes.of(softAttrs),
            n.docString()),
        new Node(
            e.freshName(n.name() + "_reshape"),
            "",
            "Reshape",
            List.of(soft, shape),
            List.of(n.output(0)),
            Attributes.empty(),
            ""));
  }
}
