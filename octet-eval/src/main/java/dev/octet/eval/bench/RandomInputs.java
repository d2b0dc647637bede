package dev.octet.eval.bench;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Dim;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import dev.octet.runtime.ops.Numeric;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random inputs that fit a model's declared inputs. Symbolic dimensions take their value
 * from {@code dims} by name, else: the first dimension is the batch, the second of an integer input
 * the sequence length, others 1. Floats are standard normal; integer inputs whose name says "mask"
 * are 1 (attention masks), "type" 0, other integers uniform in [0, 1000) (token ids). A batch other
 * than 1 for an input whose first dimension is fixed to another size is an error, not silently
 * ignored (throughput would be counted for items never fed).
 */
public final class RandomInputs {
  private RandomInputs() {}

  public static Map<String, Tensor> of(
      Graph g, long seed, int batch, int seq, Map<String, Integer> dims) {
    Random r = new Random(seed);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (ValueInfo v : g.realInputs()) {
      ValueType.TensorType t = v.tensorType();
      if (t == null || t.shape() == null) {
        throw new OctetException(
            "input '" + v.name() + "' has no declared tensor shape; pass it with --input");
      }
      int[] shape = new int[t.shape().size()];
      if (shape.length > 0
          && t.shape().get(0) instanceof Dim.Fixed f
          && batch != 1
          && f.value() != batch) {
        throw new OctetException(
            "input '"
                + v.name()
                + "' has a fixed first (batch) dimension of "
                + f.value()
                + ", so a batch of "
                + batch
                + " cannot be fed; use a model exported with a symbolic batch dimension, or"
                + " leave the batch at 1");
      }
      for (int i = 0; i < shape.length; i++) {
        Dim d = t.shape().get(i);
        shape[i] =
            switch (d) {
              case Dim.Fixed f -> (int) f.value();
              case Dim.Symbolic s when dims.containsKey(s.name()) -> dims.get(s.name());
              default -> i == 0 ? batch : (i == 1 && !t.elemType().isFloatingPoint() ? seq : 1);
            };
      }
      int n = Tensor.elementCount(shape);
      String name = v.name().toLowerCase(java.util.Locale.ROOT);
      if (t.elemType().isFloatingPoint()) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
          x[i] = r.nextGaussian();
        }
        out.put(v.name(), Numeric.fromDoubles(t.elemType(), shape, x));
      } else if (t.elemType().isInteger() || t.elemType() == DType.BOOL) {
        long[] x = new long[n];
        for (int i = 0; i < n; i++) {
          x[i] = name.contains("mask") ? 1 : name.contains("type") ? 0 : r.nextInt(1000);
        }
        out.put(v.name(), Numeric.fromLongs(t.elemType(), shape, x));
      } else {
        throw new OctetException(
            "cannot make random " + t.elemType().onnxName() + " input '" + v.name() + "'");
      }
    }
    return out;
  }
}
