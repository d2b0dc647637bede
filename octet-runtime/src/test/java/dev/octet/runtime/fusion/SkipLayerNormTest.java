package dev.octet.runtime.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.graph.ValueType;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A residual Add read only by a LayerNormalization folds into it: the same bits as Add then
 * LayerNormalization, for a residual of X's shape (summed row by row in the norm) and for one that
 * broadcasts (added whole first), on one and two threads.
 */
class SkipLayerNormTest {
  private static final Random R = new Random(23);

  private static Tensor random(int... shape) {
    float[] v = new float[Tensor.elementCount(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) R.nextGaussian() * 3;
    }
    return Tensor.wrap(v, shape);
  }

  @ParameterizedTest(name = "residual {0}")
  @ValueSource(strings = {"3,37,50", "50", "1,37,50"})
  void theResidualFoldsIntoTheNormWithTheSameBits(String residual) {
    int[] rs = java.util.Arrays.stream(residual.split(",")).mapToInt(Integer::parseInt).toArray();
    Model model =
        Model.of(
            new GraphEditor("skip")
                .addInput(new ValueInfo("x", ValueType.tensor(DType.FLOAT, 3, 37, 50)))
                .addInput(
                    new ValueInfo(
                        "r",
                        ValueType.tensor(
                            DType.FLOAT, java.util.Arrays.stream(rs).asLongStream().toArray())))
                .addOutput(new ValueInfo("y", null))
                .putInitializer("gamma", random(50))
                .putInitializer("beta", random(50))
                .addNode(
                    new Node("add", "Add", List.of("x", "r"), List.of("s"), Attributes.empty()))
                .addNode(
                    new Node(
                        "ln",
                        "LayerNormalization",
                        List.of("s", "gamma", "beta"),
                        List.of("y"),
                        Attributes.of(Map.of("epsilon", AttributeValue.of(1e-5f)))))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    Map<String, Long> ops = FusionTest.ops(Fusions.apply(model.graph(), 17));
    assertFalse(ops.containsKey("Add"), ops.toString());
    assertEquals(1L, ops.get("com.octet.LayerNormalization"), ops.toString());
    Map<String, Tensor> in = Map.of("x", random(3, 37, 50), "r", random(rs));
    for (int threads = 1; threads <= 2; threads++) {
      FusionTest.assertSameBitsAsUnfused(model, in, "y", threads);
    }
  }
}
