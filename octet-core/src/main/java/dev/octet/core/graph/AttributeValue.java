package dev.octet.core.graph;

import dev.octet.core.Tensor;
import java.util.List;

/** The value of one node attribute, one record per ONNX AttributeType. */
public sealed interface AttributeValue {
  /** The ONNX name of the attribute type, for messages. */
  String typeName();

  record FloatValue(float value) implements AttributeValue {
    public String typeName() {
      return "FLOAT";
    }
  }

  record IntValue(long value) implements AttributeValue {
    public String typeName() {
      return "INT";
    }
  }

  record StringValue(String value) implements AttributeValue {
    public String typeName() {
      return "STRING";
    }
  }

  record TensorValue(Tensor value) implements AttributeValue {
    public String typeName() {
      return "TENSOR";
    }
  }

  record GraphValue(Graph value) implements AttributeValue {
    public String typeName() {
      return "GRAPH";
    }
  }

  record SparseTensorValue(Opaque value) implements AttributeValue {
    public String typeName() {
      return "SPARSE_TENSOR";
    }
  }

  record TypeValue(ValueType value) implements AttributeValue {
    public String typeName() {
      return "TYPE_PROTO";
    }
  }

  record FloatsValue(List<Float> value) implements AttributeValue {
    public FloatsValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "FLOATS";
    }
  }

  record IntsValue(List<Long> value) implements AttributeValue {
    public IntsValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "INTS";
    }
  }

  record StringsValue(List<String> value) implements AttributeValue {
    public StringsValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "STRINGS";
    }
  }

  record TensorsValue(List<Tensor> value) implements AttributeValue {
    public TensorsValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "TENSORS";
    }
  }

  record GraphsValue(List<Graph> value) implements AttributeValue {
    public GraphsValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "GRAPHS";
    }
  }

  record SparseTensorsValue(List<Opaque> value) implements AttributeValue {
    public SparseTensorsValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "SPARSE_TENSORS";
    }
  }

  record TypesValue(List<ValueType> value) implements AttributeValue {
    public TypesValue {
      value = List.copyOf(value);
    }

    public String typeName() {
      return "TYPE_PROTOS";
    }
  }

  /** Inside a function body: the value comes from the calling node's attribute of that name. */
  record RefValue(String refName, String type) implements AttributeValue {
    public String typeName() {
      return "REF(" + type + ")";
    }
  }

  static AttributeValue of(long value) {
    return new IntValue(value);
  }

  static AttributeValue of(float value) {
    return new FloatValue(value);
  }

  static AttributeValue of(String value) {
    return new StringValue(value);
  }

  static AttributeValue of(Tensor value) {
    return new TensorValue(value);
  }

  static AttributeValue ints(long... values) {
    return new IntsValue(java.util.Arrays.stream(values).boxed().toList());
  }

  static AttributeValue floats(float... values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return new FloatsValue(List.of(boxed));
  }
}
