package dev.octet.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.graph.Graph;
import dev.octet.core.graph.Node;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.quant.Recipe.NodeOverride;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecipeTest {
  @Test
  void jsonRoundTripsAndShortFilesTakeTheDefaults() {
    Recipe r =
        Recipe.transformer()
            .withFallback(3)
            .withSmoothing(0.5f)
            .withExclude(Set.of("a"))
            .withOverrides(
                List.of(
                    new NodeOverride("MatMul", null, null, null, "mse", false),
                    new NodeOverride(null, ".*ffn.*", null, false, null, null)));
    assertEquals(r, RecipeJson.parse(r.toJson(), "test"));

    Recipe shortOne =
        RecipeJson.parse(
            "{\"method\": \"percentile:99.99\", \"activations\": {\"dtype\": \"int8\","
                + " \"symmetric\": true, \"axis\": -1, \"reduceRange\": false}}",
            "short.json");
    assertEquals("percentile:99.99", shortOne.method());
    assertEquals(DType.INT8, shortOne.activations().dtype());
    assertEquals(Recipe.defaults().weights(), shortOne.weights());
    assertEquals(Recipe.defaults().opTypes(), shortOne.opTypes());
  }

  @Test
  void reducedRangeTakesTheWeightsToSevenBits() {
    Recipe r = Recipe.defaults().withReduceRange(true);
    assertEquals(-64, r.weights().qmin());
    assertEquals(63, r.weights().qmax());
    assertEquals(Recipe.defaults().activations(), r.activations());
    assertEquals(Recipe.defaults(), r.withReduceRange(false));
    assertEquals(r, RecipeJson.parse(r.toJson(), "reduced.json"));
  }

  @Test
  void badRecipesNameTheProblem() {
    String[][] cases = {
      {"{\"methd\": \"mse\"}", "methd"},
      {"{\"method\": \"magic\"}", "magic"},
      {"{\"version\": 7}", "version 7"},
      {"{\"mode\": \"sometimes\"}", "mode"},
      {"{\"opTypes\": [\"Softmax\"]}", "Softmax"},
      {"{\"overrides\": [{\"opType\": \"Conv\", \"node\": \"x\"}]}", "exactly one"},
      {"{\"overrides\": [{\"pattern\": \"(\"}]}", "regular expression"},
      {"[1, 2]", "JSON object"},
      {"{\"smoothing\": 1.5}", "smoothing"},
      {"{\"method\": ", "not a valid recipe"},
    };
    for (String[] c : cases) {
      OctetException e =
          assertThrows(OctetException.class, () -> RecipeJson.parse(c[0], "r.json"), c[0]);
      assertTrue(e.getMessage().startsWith("r.json: "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
    }
  }

  /** Overrides on mnist-8's real nodes: op type < name pattern < exact name; exclude wins. */
  @Test
  void overridesApplyByOpTypeThenPatternThenName() throws Exception {
    Graph g = OnnxModels.load(SharedData.require("models/mnist-8.onnx")).graph();
    Node conv28 = g.node("Convolution28");
    Node conv110 = g.node("Convolution110");
    Node pool = g.nodes().stream().filter(n -> n.opType().equals("MaxPool")).findFirst().get();
    Recipe r =
        Recipe.defaults()
            .withOverrides(
                List.of(
                    new NodeOverride(null, null, "Convolution28", true, "mse", null),
                    new NodeOverride(null, "Convolution.*", null, false, "entropy", null),
                    new NodeOverride("Conv", null, null, null, "percentile", false)));
    assertEquals(new Recipe.NodeSettings(true, "mse", false), r.rule(conv28));
    assertEquals(new Recipe.NodeSettings(false, "entropy", false), r.rule(conv110));
    assertEquals(new Recipe.NodeSettings(true, "minmax", true), r.rule(pool));
    assertFalse(r.withExclude(Set.of("Convolution28")).quantizes(conv28));

    // an op type outside opTypes is quantized when an override asks for it
    Recipe convOnly = Recipe.defaults().withOpTypes(Set.of("Conv"));
    assertFalse(convOnly.quantizes(pool));
    assertTrue(
        convOnly
            .withOverrides(List.of(new NodeOverride(null, null, pool.name(), true, null, null)))
            .quantizes(pool));
  }
}
