package dev.octet.runtime.ops.linalg;

import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.Node;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Transposed views of row-major tensors, for the batched products that read their operands and
 * write their results with strides instead of materialising Transposes (MatMul, TransposedMatMul,
 * Attention), and the plain kernels those fused ops fall back to.
 */
final class StridedViews {
  private StridedViews() {}

  /** The INTS attribute {@code name} as a permutation, or null when absent. */
  static int[] perm(Attributes a, String name) {
    long[] p = a.getInts(name);
    return p == null ? null : Shapes.toInts(p, name);
  }

  /** Absent, or a permutation of [0, r). */
  static boolean valid(int[] perm, int r) {
    if (perm == null) {
      return true;
    }
    boolean[] seen = new boolean[r];
    for (int p : perm) {
      if (perm.length != r || p < 0 || p >= r || seen[p]) {
        return false;
      }
      seen[p] = true;
    }
    return true;
  }

  /** The shape of the transposed view: shape[perm[d]] (a copy of shape without perm). */
  static int[] view(int[] shape, int[] perm) {
    if (perm == null) {
      return shape.clone();
    }
    int[] v = new int[perm.length];
    for (int d = 0; d < perm.length; d++) {
      v[d] = shape[perm[d]];
    }
    return v;
  }

  /** Strides of the transposed view in the untransposed tensor: strides[perm[d]]. */
  static int[] viewStrides(int[] shape, int[] perm) {
    return view(Shapes.strides(shape), perm);
  }

  /**
   * Where each axis of a product goes in its output {@code Transpose(y, perm)} of shape {@code
   * outShape}: the stride of y's axis d in the row-major output.
   */
  static int[] writeStrides(int[] outShape, int[] perm) {
    int[] stOut = Shapes.strides(outShape);
    int[] st = new int[outShape.length];
    for (int e = 0; e < st.length; e++) {
      st[perm == null ? e : perm[e]] = stOut[e];
    }
    return st;
  }

  /** The offset of every broadcast batch's matrix: sum of index x stride, 0 on broadcast axes. */
  static int[] offsets(int[] batch, int[] own, int[] strides) {
    int n = Shapes.product(batch, 0, batch.length);
    int[] out = new int[n];
    int[] idx = new int[batch.length];
    for (int i = 0; i < n; i++) {
      int off = 0;
      for (int d = 0; d < batch.length; d++) {
        off += own[d] == 1 ? 0 : idx[d] * strides[d];
      }
      out[i] = off;
      for (int d = batch.length - 1; d >= 0 && ++idx[d] == batch[d]; d--) {
        idx[d] = 0;
      }
    }
    return out;
  }

  /** The context of a kernel that a fused op runs as one of its parts (no constant inputs). */
  static OpContext part(
      String name,
      String domain,
      String op,
      int inputs,
      Map<String, AttributeValue> attrs,
      long opset) {
    return new OpContext(
        new Node(
            name,
            domain,
            op,
            Collections.nCopies(inputs, ""),
            List.of(""),
            Attributes.of(attrs),
            ""),
        opset,
        new Tensor[inputs]);
  }
}
