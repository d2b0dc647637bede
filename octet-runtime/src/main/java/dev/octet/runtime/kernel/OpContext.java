package dev.octet.runtime.kernel;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Node;

/**
 * What a kernel factory sees of its node at planning time: the node, its attributes, the opset in
 * force, and the inputs that are constants (so weights can be packed once).
 */
public final class OpContext {
  private final Node node;
  private final long opset;
  private final Tensor[] constants;

  public OpContext(Node node, long opset, Tensor[] constants) {
    this.node = node;
    this.opset = opset;
    this.constants = constants.clone();
  }

  public Node node() {
    return node;
  }

  public Attributes attrs() {
    return node.attributes();
  }

  /** The opset version of the node's domain that the model imports. */
  public long opset() {
    return opset;
  }

  public int inputCount() {
    return node.inputs().size();
  }

  public boolean hasInput(int i) {
    return !node.input(i).isEmpty();
  }

  /** Input {@code i} when it is a constant (initializer or folded), else null. */
  public Tensor constant(int i) {
    return i < constants.length ? constants[i] : null;
  }

  /** An exception whose message starts with the node's name and op type. */
  public OctetException error(String message) {
    return new OctetException(node.describe() + ": " + message);
  }
}
