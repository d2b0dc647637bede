package dev.octet.runtime.ops.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.core.graph.GraphEditor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.OpsetImport;
import dev.octet.core.graph.ValueInfo;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conv through a session (packed constant weights, the in-place GEMM over the padded and
 * stride-split input or over the shifted copies of a "same"-width one, n-D im2col) against a plain
 * loop over the definition: odd sizes, output widths that do not fill a GEMM panel, strides,
 * dilations, asymmetric pads, groups, batches, and the same result on one and two threads.
 */
class ConvKernelTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "conv1 of SqueezeNet 1.1 (stride 2) | 1 | 3 | 64 | 45 | 47 | 3 | 3 | 2 | 2 | 1 | 1 | 0 | 0 | 0 | 0 | 1",
        "stride 2, compacted in row chunks  | 2 | 3 | 64 | 120 | 223 | 3 | 3 | 2 | 2 | 1 | 1 | 0 | 0 | 0 | 0 | 1",
        "3x3 pad 1, 100 output channels     | 2 | 16 | 100 | 13 | 13 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1",
        "1x1 pointwise, odd                  | 1 | 37 | 19 | 11 | 23 | 1 | 1 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 1",
        "1x1 stride 2                        | 1 | 8 | 16 | 9 | 10 | 1 | 1 | 2 | 2 | 1 | 1 | 0 | 0 | 0 | 0 | 1",
        "7x7 stride 2 pad 3 (ResNet stem)    | 1 | 3 | 9 | 33 | 31 | 7 | 7 | 2 | 2 | 1 | 1 | 3 | 3 | 3 | 3 | 1",
        "stride 3 x 2, asymmetric pads       | 1 | 5 | 12 | 17 | 19 | 3 | 2 | 3 | 2 | 1 | 1 | 2 | 0 | 1 | 1 | 1",
        "dilation 2                          | 1 | 6 | 10 | 20 | 21 | 3 | 3 | 1 | 1 | 2 | 2 | 2 | 2 | 2 | 2 | 1",
        "dilation and stride                 | 2 | 4 | 8 | 23 | 18 | 3 | 5 | 2 | 3 | 2 | 1 | 1 | 0 | 2 | 3 | 1",
        "grouped                             | 1 | 12 | 18 | 15 | 14 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 3",
        "depthwise stride 2                  | 1 | 16 | 16 | 14 | 14 | 3 | 3 | 2 | 2 | 1 | 1 | 1 | 1 | 1 | 1 | 16",
        "wide rows (direct form off)         | 1 | 4 | 70 | 5 | 100 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1",
        "same width, pads left 2 right 0     | 1 | 8 | 9 | 11 | 17 | 3 | 3 | 1 | 1 | 1 | 1 | 0 | 2 | 2 | 0 | 1",
        "5x5 same, batch 2                   | 2 | 4 | 11 | 9 | 40 | 5 | 5 | 1 | 1 | 1 | 1 | 2 | 2 | 2 | 2 | 1",
        "same width, 1x3, no vertical pads   | 1 | 24 | 16 | 6 | 7 | 1 | 3 | 1 | 1 | 1 | 1 | 0 | 1 | 0 | 1 | 1",
        "single output position              | 1 | 9 | 3 | 3 | 3 | 3 | 3 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 1",
        "Winograd, odd width                 | 1 | 32 | 40 | 27 | 29 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1",
        "Winograd, no pads, odd output       | 2 | 33 | 33 | 31 | 30 | 3 | 3 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 1",
        "Winograd, asymmetric pads           | 1 | 32 | 40 | 30 | 27 | 3 | 3 | 1 | 1 | 1 | 1 | 2 | 0 | 0 | 1 | 1",
        "Winograd, odd left pad, wide        | 1 | 32 | 32 | 9 | 95 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 3 | 2 | 2 | 1",
        "Winograd, several tile blocks       | 1 | 32 | 32 | 70 | 75 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1",
        "Winograd, blocks cut for 2 threads  | 2 | 32 | 32 | 55 | 53 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1",
        "Winograd's channels, too few tiles  | 1 | 32 | 40 | 13 | 13 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1",
        "16 inputs: Winograd with AVX2 only  | 1 | 16 | 32 | 21 | 23 | 3 | 3 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1"
      })
  void matchesTheDefinition(
      String what,
      int batch,
      int c,
      int m,
      int h,
      int w,
      int kh,
      int kw,
      int sh,
      int sw,
      int dh,
      int dw,
      int pt,
      int pl,
      int pb,
      int pr,
      int groups) {
    Random r = new Random(what.hashCode());
    int cg = c / groups;
    float[] x = gaussian(r, batch * c * h * w);
    float[] wt = gaussian(r, m * cg * kh * kw);
    float[] bias = gaussian(r, m);
    Map<String, AttributeValue> attrs = new HashMap<>();
    attrs.put("strides", AttributeValue.ints(sh, sw));
    attrs.put("dilations", AttributeValue.ints(dh, dw));
    attrs.put("pads", AttributeValue.ints(pt, pl, pb, pr));
    attrs.put("group", AttributeValue.of((long) groups));
    Model model =
        Model.of(
            new GraphEditor("conv")
                .addInput(new ValueInfo("x", null))
                .putInitializer("w", Tensor.wrap(wt, m, cg, kh, kw))
                .putInitializer("b", Tensor.wrap(bias, m))
                .addOutput(new ValueInfo("y", null))
                .addNode(
                    new Node(
                        "conv", "Conv", List.of("x", "w", "b"), List.of("y"), Attributes.of(attrs)))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    int oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
    int ow = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
    float[] got1 = run(model, x, batch, c, h, w, 1);
    float[] got2 = run(model, x, batch, c, h, w, 2);
    assertEquals(batch * m * oh * ow, got1.length);
    assertArrayEquals(got1, got2, "one and two threads give the same bits");
    int mg = m / groups;
    for (int n = 0; n < batch; n++) {
      for (int oc = 0; oc < m; oc++) {
        int g = oc / mg;
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            double s = bias[oc];
            double terms = Math.abs(bias[oc]);
            for (int ci = 0; ci < cg; ci++) {
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int iy = oy * sh - pt + ky * dh;
                  int ix = ox * sw - pl + kx * dw;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                    double term =
                        (double) x[((n * c + g * cg + ci) * h + iy) * w + ix]
                            * wt[((oc * cg + ci) * kh + ky) * kw + kx];
                    s += term;
                    terms += Math.abs(term);
                  }
                }
              }
            }
            float v = got1[((n * m + oc) * oh + oy) * ow + ox];
            // float rounding grows with the terms, not with their sum (which may cancel to near
            // 0): Winograd's F(4x4, 3x3) is within 1e-6 of their absolute sum here, a wrong term
            // or index is off by about one term
            assertEquals(s, v, 1e-5 * (1 + terms), n + "," + oc + "," + oy + "," + ox);
          }
        }
      }
    }
  }

  @Test
  void oneSessionRunsInputsOfChangingShapes() {
    Random r = new Random(5);
    Map<String, AttributeValue> attrs = new HashMap<>();
    attrs.put("pads", AttributeValue.ints(1, 1, 1, 1));
    attrs.put("strides", AttributeValue.ints(2, 1));
    Model model =
        Model.of(
            new GraphEditor("conv")
                .addInput(new ValueInfo("x", null))
                .putInitializer("w", Tensor.wrap(gaussian(r, 16 * 8 * 9), 16, 8, 3, 3))
                .addOutput(new ValueInfo("y", null))
                .addNode(
                    new Node("conv", "Conv", List.of("x", "w"), List.of("y"), Attributes.of(attrs)))
                .freeze(),
            8,
            List.of(new OpsetImport("", 17)));
    int[][] shapes = {{1, 8, 10, 12}, {2, 8, 7, 9}, {1, 8, 10, 12}, {1, 8, 31, 5}};
    try (Session s = Session.create(model, SessionOptions.defaults().withThreads(1))) {
      for (int[] shape : shapes) {
        float[] x = gaussian(r, shape[0] * shape[1] * shape[2] * shape[3]);
        // the expected result from a session that has seen no other shape
        float[] fresh = run(model, x, shape[0], shape[1], shape[2], shape[3], 1);
        Tensor y = s.run(Map.of("x", Tensor.wrap(x, shape))).get("y");
        int oh = (shape[2] + 2 - 3) / 2 + 1;
        assertArrayEquals(new int[] {shape[0], 16, oh, shape[3]}, y.shape());
        assertArrayEquals(fresh, y.floats(), java.util.Arrays.toString(shape));
      }
    }
  }

  private static float[] run(Model model, float[] x, int batch, int c, int h, int w, int threads) {
    try (Session s = Session.create(model, SessionOptions.defaults().withThreads(threads))) {
      Tensor in = Tensor.wrap(x.clone(), batch, c, h, w);
      float[] first = s.run(Map.of("x", in)).get("y").floats().clone();
      // a second run on the session's recycled buffers gives the same result
      assertArrayEquals(first, s.run(Map.of("x", in)).get("y").floats());
      return first;
    }
  }

  private static float[] gaussian(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
