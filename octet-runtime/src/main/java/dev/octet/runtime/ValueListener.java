package dev.octet.runtime;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Node;

/**
 * Sees every tensor a node produces during {@link Session#run}: calibration observers, per-layer
 * debugging and error analysis hang off it. The tensor is valid only during the call (its buffer
 * may be reused afterwards): copy what must be kept. Called on the thread that runs the session.
 */
@FunctionalInterface
public interface ValueListener {
  void onValue(String name, Node producer, Tensor value);
}
