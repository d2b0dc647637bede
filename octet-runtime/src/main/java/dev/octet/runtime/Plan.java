package dev.octet.runtime;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Node;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result of planning: values numbered into slots, the steps to run in order, constants (folded
 * ones included) and, per step, the slots whose last reader it is.
 *
 * @param graph the graph as executed (after fp16 widening)
 * @param folded names of the nodes that were folded into constants at planning time
 * @param integerGroups the Q/DQ groups that run as integer kernels ("node (op) -> fused op")
 * @param floatGroups the ops next to Q/DQ nodes that still compute in float, with the reason
 */
public record Plan(
    Graph graph,
    Map<String, Integer> slots,
    Tensor[] constants,
    List<Step> steps,
    Set<Object> protectedArrays,
    List<String> folded,
    List<String> integerGroups,
    List<String> floatGroups) {

  /**
   * One node to run: slot numbers of its inputs (-1 for omitted) and outputs (-1 for unused), and
   * the slots freed after it.
   */
  public record Step(Node node, Kernel kernel, int[] inputs, int[] outputs, int[] freeAfter) {}

  /**
   * Bytes the session keeps for the model: its constants (initializers and folded values) plus the
   * weights its kernels packed at planning time.
   */
  public long residentBytes() {
    long sum = 0;
    for (Tensor t : constants) {
      sum += t == null ? 0 : t.byteSize();
    }
    for (Step s : steps) {
      sum += s.kernel().packedBytes();
    }
    return sum;
  }

  public int slot(String value) {
    Integer s = slots.get(value);
    if (s == null) {
      throw new OctetException("no value named '" + value + "' in graph '" + graph.name() + "'");
    }
    return s;
  }

  /** Runs one step's kernel; any failure comes back as an OctetException naming the node. */
  static Tensor[] execute(Step step, ExecContext ctx, Tensor[] in) {
    Node node = step.node();
    try {
      return step.kernel().run(ctx, in);
    } catch (OctetException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(node.describe())) {
        throw e;
      }
      throw new OctetException(node.describe() + ": " + e.getMessage() + describeInputs(in), e);
    } catch (RuntimeException e) {
      throw new OctetException(
          node.describe() + ": failed (" + e + ")" + describeInputs(in) + "; please report this",
          e);
    }
  }

  private static String describeInputs(Tensor[] in) {
    StringBuilder b = new StringBuilder(" [inputs:");
    for (Tensor t : in) {
      b.append(' ').append(t == null ? "none" : t.dtype().onnxName() + Arrays.toString(t.shape()));
    }
    return b.append(']').toString();
  }
}
