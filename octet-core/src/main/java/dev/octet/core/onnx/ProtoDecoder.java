package dev.octet.core.onnx;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Dim;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.Opaque;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.QuantAnnotation;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.core.proto.OnnxProto.AttributeProto;
import dev.octet.core.proto.OnnxProto.GraphProto;
import dev.octet.core.proto.OnnxProto.ModelProto;
import dev.octet.core.proto.OnnxProto.NodeProto;
import dev.octet.core.proto.OnnxProto.StringStringEntryProto;
import dev.octet.core.proto.OnnxProto.TensorAnnotation;
import dev.octet.core.proto.OnnxProto.TensorProto;
import dev.octet.core.proto.OnnxProto.TensorShapeProto;
import dev.octet.core.proto.OnnxProto.TypeProto;
import dev.octet.core.proto.OnnxProto.ValueInfoProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** ModelProto to {@link Model}. External tensors resolve against {@code baseDir} (may be null). */
final class ProtoDecoder {
  private final Path baseDir;

  ProtoDecoder(Path baseDir) {
    this.baseDir = baseDir;
  }

  Model model(ModelProto m) {
    if (!m.hasGraph()) {
      throw new OctetException("the model has no graph (is this an ONNX model file?)");
    }
    List<OpsetImport> opsets = new ArrayList<>();
    for (var o : m.getOpsetImportList()) {
      opsets.add(new OpsetImport(o.getDomain(), o.getVersion()));
    }
    Graph g = graph(m.getGraph(), true);
    List<Opaque> functions = new ArrayList<>();
    m.getFunctionsList().forEach(f -> functions.add(new Opaque("FunctionProto", f.toByteArray())));
    List<Opaque> training = new ArrayList<>();
    m.getTrainingInfoList()
        .forEach(t -> training.add(new Opaque("TrainingInfoProto", t.toByteArray())));
    return new Model(
        m.getIrVersion(),
        opsets,
        m.getProducerName(),
        m.getProducerVersion(),
        m.getDomain(),
        m.getModelVersion(),
        m.getDocString(),
        g,
        entries(m.getMetadataPropsList()),
        functions,
        training);
  }

  Graph graph(GraphProto gp, boolean topLevel) {
    GraphEditor e = new GraphEditor(gp.getName()).docString(gp.getDocString());
    for (ValueInfoProto v : gp.getInputList()) {
      e.addInput(valueInfo(v));
    }
    for (ValueInfoProto v : gp.getOutputList()) {
      e.addOutput(valueInfo(v));
    }
    for (ValueInfoProto v : gp.getValueInfoList()) {
      e.addValueInfo(valueInfo(v));
    }
    Set<String> initNames = new HashSet<>();
    for (TensorProto t : gp.getInitializerList()) {
      if (t.getName().isEmpty()) {
        throw new OctetException("graph '" + gp.getName() + "' has an initializer without a name");
      }
      if (!initNames.add(t.getName())) {
        throw new OctetException(
            "graph '" + gp.getName() + "' has two initializers named '" + t.getName() + "'");
      }
      e.putInitializer(t.getName(), TensorCodec.decode(t, baseDir));
    }
    gp.getSparseInitializerList()
        .forEach(s -> e.addSparseInitializer(new Opaque("SparseTensorProto", s.toByteArray())));
    for (TensorAnnotation a : gp.getQuantizationAnnotationList()) {
      e.addQuantAnnotation(
          new QuantAnnotation(a.getTensorName(), entries(a.getQuantParameterTensorNamesList())));
    }
    entries(gp.getMetadataPropsList()).forEach(e::putMetadata);
    for (int i = 0; i < gp.getNodeCount(); i++) {
      e.addNode(node(gp.getNode(i), i));
    }
    e.nameNodesUniquely();
    return topLevel ? e.freeze() : e.freezeSubgraph();
  }

  private Node node(NodeProto n, int index) {
    Map<String, AttributeValue> attrs = new LinkedHashMap<>();
    String label = n.getName().isEmpty() ? "#" + index : n.getName();
    for (AttributeProto a : n.getAttributeList()) {
      if (attrs.containsKey(a.getName())) {
        throw new OctetException(
            "node '"
                + label
                + "' ("
                + n.getOpType()
                + ") has attribute '"
                + a.getName()
                + "' twice");
      }
      try {
        attrs.put(a.getName(), attribute(a));
      } catch (OctetException ex) {
        throw new OctetException(
            "node '"
                + label
                + "' ("
                + n.getOpType()
                + ") attribute '"
                + a.getName()
                + "': "
                + ex.getMessage(),
            ex);
      }
    }
    if (n.getOpType().isEmpty()) {
      throw new OctetException("node '" + label + "' has no op_type");
    }
    return new Node(
        n.getName(),
        n.getDomain(),
        n.getOpType(),
        n.getInputList(),
        n.getOutputList(),
        Attributes.of(attrs),
        n.getDocString());
  }

  private AttributeValue attribute(AttributeProto a) {
    AttributeProto.AttributeType type = a.hasType() ? a.getType() : inferType(a);
    if (!a.getRefAttrName().isEmpty()) {
      return new AttributeValue.RefValue(a.getRefAttrName(), type.name());
    }
    return switch (type) {
      case FLOAT -> new AttributeValue.FloatValue(a.getF());
      case INT -> new AttributeValue.IntValue(a.getI());
      case STRING -> new AttributeValue.StringValue(a.getS().toStringUtf8());
      case TENSOR -> new AttributeValue.TensorValue(TensorCodec.decode(a.getT(), baseDir));
      case GRAPH -> new AttributeValue.GraphValue(graph(a.getG(), false));
      case SPARSE_TENSOR ->
          new AttributeValue.SparseTensorValue(
              new Opaque("SparseTensorProto", a.getSparseTensor().toByteArray()));
      case TYPE_PROTO -> new AttributeValue.TypeValue(type(a.getTp()));
      case FLOATS -> new AttributeValue.FloatsValue(a.getFloatsList());
      case INTS -> new AttributeValue.IntsValue(a.getIntsList());
      case STRINGS ->
          new AttributeValue.StringsValue(
              a.getStringsList().stream().map(s -> s.toStringUtf8()).toList());
      case TENSORS -> {
        List<Tensor> ts = new ArrayList<>();
        a.getTensorsList().forEach(t -> ts.add(TensorCodec.decode(t, baseDir)));
        yield new AttributeValue.TensorsValue(ts);
      }
      case GRAPHS -> {
        List<Graph> gs = new ArrayList<>();
        a.getGraphsList().forEach(g -> gs.add(graph(g, false)));
        yield new AttributeValue.GraphsValue(gs);
      }
      case SPARSE_TENSORS ->
          new AttributeValue.SparseTensorsValue(
              a.getSparseTensorsList().stream()
                  .map(s -> new Opaque("SparseTensorProto", s.toByteArray()))
                  .toList());
      case TYPE_PROTOS ->
          new AttributeValue.TypesValue(a.getTypeProtosList().stream().map(this::type).toList());
      case UNDEFINED -> throw new OctetException("attribute has no type and no value");
    };
  }

  /** IR version 1 attributes carry no type: take it from the field that is set. */
  private static AttributeProto.AttributeType inferType(AttributeProto a) {
    if (a.hasF()) {
      return AttributeProto.AttributeType.FLOAT;
    } else if (a.hasI()) {
      return AttributeProto.AttributeType.INT;
    } else if (a.hasS()) {
      return AttributeProto.AttributeType.STRING;
    } else if (a.hasT()) {
      return AttributeProto.AttributeType.TENSOR;
    } else if (a.hasG()) {
      return AttributeProto.AttributeType.GRAPH;
    } else if (a.getFloatsCount() > 0) {
      return AttributeProto.AttributeType.FLOATS;
    } else if (a.getIntsCount() > 0) {
      return AttributeProto.AttributeType.INTS;
    } else if (a.getStringsCount() > 0) {
      return AttributeProto.AttributeType.STRINGS;
    } else if (a.getTensorsCount() > 0) {
      return AttributeProto.AttributeType.TENSORS;
    } else if (a.getGraphsCount() > 0) {
      return AttributeProto.AttributeType.GRAPHS;
    }
    return AttributeProto.AttributeType.UNDEFINED;
  }

  ValueInfo valueInfo(ValueInfoProto v) {
    try {
      return new ValueInfo(v.getName(), v.hasType() ? type(v.getType()) : null, v.getDocString());
    } catch (OctetException e) {
      throw new OctetException("value '" + v.getName() + "': " + e.getMessage(), e);
    }
  }

  ValueType type(TypeProto t) {
    return switch (t.getValueCase()) {
      case TENSOR_TYPE ->
          new ValueType.TensorType(
              DType.fromCode(t.getTensorType().getElemType()),
              t.getTensorType().hasShape() ? shape(t.getTensorType().getShape()) : null);
      case SPARSE_TENSOR_TYPE ->
          new ValueType.SparseTensorType(
              DType.fromCode(t.getSparseTensorType().getElemType()),
              t.getSparseTensorType().hasShape()
                  ? shape(t.getSparseTensorType().getShape())
                  : null);
      case SEQUENCE_TYPE -> new ValueType.SequenceType(type(t.getSequenceType().getElemType()));
      case MAP_TYPE ->
          new ValueType.MapType(
              DType.fromCode(t.getMapType().getKeyType()), type(t.getMapType().getValueType()));
      case OPTIONAL_TYPE -> new ValueType.OptionalType(type(t.getOptionalType().getElemType()));
      case OPAQUE_TYPE ->
          new ValueType.OpaqueType(t.getOpaqueType().getDomain(), t.getOpaqueType().getName());
      case VALUE_NOT_SET -> null;
    };
  }

  private static List<Dim> shape(TensorShapeProto s) {
    List<Dim> dims = new ArrayList<>(s.getDimCount());
    for (TensorShapeProto.Dimension d : s.getDimList()) {
      dims.add(
          switch (d.getValueCase()) {
            case DIM_VALUE -> new Dim.Fixed(d.getDimValue());
            case DIM_PARAM -> new Dim.Symbolic(d.getDimParam());
            case VALUE_NOT_SET -> new Dim.Unknown();
          });
    }
    return dims;
  }

  private static Map<String, String> entries(List<StringStringEntryProto> list) {
    Map<String, String> m = new LinkedHashMap<>();
    list.forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }
}
