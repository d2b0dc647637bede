package dev.octet.core.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Dim;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.Opaque;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.QuantAnnotation;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.core.proto.OnnxProto.AttributeProto;
import dev.octet.core.proto.OnnxProto.AttributeProto.AttributeType;
import dev.octet.core.proto.OnnxProto.FunctionProto;
import dev.octet.core.proto.OnnxProto.GraphProto;
import dev.octet.core.proto.OnnxProto.ModelProto;
import dev.octet.core.proto.OnnxProto.NodeProto;
import dev.octet.core.proto.OnnxProto.OperatorSetIdProto;
import dev.octet.core.proto.OnnxProto.SparseTensorProto;
import dev.octet.core.proto.OnnxProto.StringStringEntryProto;
import dev.octet.core.proto.OnnxProto.TensorAnnotation;
import dev.octet.core.proto.OnnxProto.TensorShapeProto;
import dev.octet.core.proto.OnnxProto.TrainingInfoProto;
import dev.octet.core.proto.OnnxProto.TypeProto;
import dev.octet.core.proto.OnnxProto.ValueInfoProto;
import java.util.Map;

/** {@link Model} to ModelProto; large tensors go to {@code external} when it is given. */
final class ProtoEncoder {
  private final ExternalData.Writer external;
  private final long threshold;

  ProtoEncoder(ExternalData.Writer external, long threshold) {
    this.external = external;
    this.threshold = threshold;
  }

  ModelProto model(Model m) {
    ModelProto.Builder b =
        ModelProto.newBuilder().setIrVersion(m.irVersion()).setGraph(graph(m.graph()));
    for (OpsetImport o : m.opsetImports()) {
      OperatorSetIdProto.Builder ob = OperatorSetIdProto.newBuilder().setVersion(o.version());
      if (!o.domain().isEmpty()) {
        ob.setDomain(o.domain());
      }
      b.addOpsetImport(ob);
    }
    if (!m.producerName().isEmpty()) {
      b.setProducerName(m.producerName());
    }
    if (!m.producerVersion().isEmpty()) {
      b.setProducerVersion(m.producerVersion());
    }
    if (!m.domain().isEmpty()) {
      b.setDomain(m.domain());
    }
    if (m.modelVersion() != 0) {
      b.setModelVersion(m.modelVersion());
    }
    if (!m.docString().isEmpty()) {
      b.setDocString(m.docString());
    }
    entries(m.metadata()).forEach(b::addMetadataProps);
    try {
      for (Opaque f : m.functions()) {
        b.addFunctions(FunctionProto.parseFrom(f.bytes()));
      }
      for (Opaque t : m.trainingInfo()) {
        b.addTrainingInfo(TrainingInfoProto.parseFrom(t.bytes()));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new OctetException("corrupt opaque model part: " + e.getMessage(), e);
    }
    return b.build();
  }

  GraphProto graph(Graph g) {
    GraphProto.Builder b = GraphProto.newBuilder();
    if (!g.name().isEmpty()) {
      b.setName(g.name());
    }
    if (!g.docString().isEmpty()) {
      b.setDocString(g.docString());
    }
    for (Node n : g.nodes()) {
      b.addNode(node(n));
    }
    for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
      b.addInitializer(TensorCodec.encode(e.getKey(), e.getValue(), external, threshold));
    }
    g.inputs().forEach(v -> b.addInput(valueInfo(v)));
    g.outputs().forEach(v -> b.addOutput(valueInfo(v)));
    g.valueInfos().forEach(v -> b.addValueInfo(valueInfo(v)));
    for (Opaque s : g.sparseInitializers()) {
      b.addSparseInitializer(sparse(s));
    }
    for (QuantAnnotation a : g.quantAnnotations()) {
      TensorAnnotation.Builder ab = TensorAnnotation.newBuilder().setTensorName(a.tensorName());
      entries(a.parameterTensors()).forEach(ab::addQuantParameterTensorNames);
      b.addQuantizationAnnotation(ab);
    }
    entries(g.metadata()).forEach(b::addMetadataProps);
    return b.build();
  }

  private NodeProto node(Node n) {
    NodeProto.Builder b =
        NodeProto.newBuilder()
            .setName(n.name())
            .setOpType(n.opType())
            .addAllInput(n.inputs())
            .addAllOutput(n.outputs());
    if (!n.domain().isEmpty()) {
      b.setDomain(n.domain());
    }
    if (!n.docString().isEmpty()) {
      b.setDocString(n.docString());
    }
    for (Map.Entry<String, AttributeValue> e : n.attributes().asMap().entrySet()) {
      b.addAttribute(attribute(e.getKey(), e.getValue()));
    }
    return b.build();
  }

  private AttributeProto attribute(String name, AttributeValue v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name);
    switch (v) {
      case AttributeValue.FloatValue f -> b.setType(AttributeType.FLOAT).setF(f.value());
      case AttributeValue.IntValue i -> b.setType(AttributeType.INT).setI(i.value());
      case AttributeValue.StringValue s ->
          b.setType(AttributeType.STRING).setS(ByteString.copyFromUtf8(s.value()));
      case AttributeValue.TensorValue t ->
          b.setType(AttributeType.TENSOR)
              .setT(TensorCodec.encode("", t.value(), external, threshold));
      case AttributeValue.GraphValue g -> b.setType(AttributeType.GRAPH).setG(graph(g.value()));
      case AttributeValue.SparseTensorValue s ->
          b.setType(AttributeType.SPARSE_TENSOR).setSparseTensor(sparse(s.value()));
      case AttributeValue.TypeValue t -> b.setType(AttributeType.TYPE_PROTO).setTp(type(t.value()));
      case AttributeValue.FloatsValue f -> b.setType(AttributeType.FLOATS).addAllFloats(f.value());
      case AttributeValue.IntsValue i -> b.setType(AttributeType.INTS).addAllInts(i.value());
      case AttributeValue.StringsValue s -> {
        b.setType(AttributeType.STRINGS);
        s.value().forEach(x -> b.addStrings(ByteString.copyFromUtf8(x)));
      }
      case AttributeValue.TensorsValue ts -> {
        b.setType(AttributeType.TENSORS);
        ts.value().forEach(t -> b.addTensors(TensorCodec.encode("", t, external, threshold)));
      }
      case AttributeValue.GraphsValue gs -> {
        b.setType(AttributeType.GRAPHS);
        gs.value().forEach(g -> b.addGraphs(graph(g)));
      }
      case AttributeValue.SparseTensorsValue ss -> {
        b.setType(AttributeType.SPARSE_TENSORS);
        ss.value().forEach(s -> b.addSparseTensors(sparse(s)));
      }
      case AttributeValue.TypesValue ts -> {
        b.setType(AttributeType.TYPE_PROTOS);
        ts.value().forEach(t -> b.addTypeProtos(type(t)));
      }
      case AttributeValue.RefValue r ->
          b.setRefAttrName(r.refName()).setType(AttributeType.valueOf(r.type()));
    }
    return b.build();
  }

  private static SparseTensorProto sparse(Opaque s) {
    try {
      return SparseTensorProto.parseFrom(s.bytes());
    } catch (InvalidProtocolBufferException e) {
      throw new OctetException("corrupt sparse tensor: " + e.getMessage(), e);
    }
  }

  private ValueInfoProto valueInfo(ValueInfo v) {
    ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(v.name());
    if (v.type() != null) {
      b.setType(type(v.type()));
    }
    if (!v.docString().isEmpty()) {
      b.setDocString(v.docString());
    }
    return b.build();
  }

  private TypeProto type(ValueType t) {
    TypeProto.Builder b = TypeProto.newBuilder();
    if (t == null) {
      return b.build();
    }
    switch (t) {
      case ValueType.TensorType tt -> {
        TypeProto.Tensor.Builder tb =
            TypeProto.Tensor.newBuilder().setElemType(tt.elemType().code());
        if (tt.shape() != null) {
          tb.setShape(shape(tt));
        }
        b.setTensorType(tb);
      }
      case ValueType.SparseTensorType st -> {
        TypeProto.SparseTensor.Builder sb =
            TypeProto.SparseTensor.newBuilder().setElemType(st.elemType().code());
        if (st.shape() != null) {
          sb.setShape(shape(new ValueType.TensorType(st.elemType(), st.shape())));
        }
        b.setSparseTensorType(sb);
      }
      case ValueType.SequenceType s ->
          b.setSequenceType(TypeProto.Sequence.newBuilder().setElemType(type(s.elemType())));
      case ValueType.MapType m ->
          b.setMapType(
              TypeProto.Map.newBuilder()
                  .setKeyType(m.keyType().code())
                  .setValueType(type(m.valueType())));
      case ValueType.OptionalType o ->
          b.setOptionalType(TypeProto.Optional.newBuilder().setElemType(type(o.elemType())));
      case ValueType.OpaqueType o ->
          b.setOpaqueType(TypeProto.Opaque.newBuilder().setDomain(o.domain()).setName(o.name()));
    }
    return b.build();
  }

  private static TensorShapeProto shape(ValueType.TensorType t) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (Dim d : t.shape()) {
      TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
      switch (d) {
        case Dim.Fixed f -> db.setDimValue(f.value());
        case Dim.Symbolic s -> db.setDimParam(s.name());
        case Dim.Unknown u -> {}
      }
      b.addDim(db);
    }
    return b.build();
  }

  private static java.util.List<StringStringEntryProto> entries(Map<String, String> m) {
    return m.entrySet().stream()
        .map(
            e ->
                StringStringEntryProto.newBuilder()
                    .setKey(e.getKey())
                    .setValue(e.getValue())
                    .build())
        .toList();
  }
}
