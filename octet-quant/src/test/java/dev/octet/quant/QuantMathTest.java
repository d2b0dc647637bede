package dev.octet.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantMathTest {
  @Test
  void schemesHaveTheDocumentedIntegerRanges() {
    assertEquals(-127, QuantScheme.int8Symmetric().qmin());
    assertEquals(127, QuantScheme.int8Symmetric().qmax());
    assertEquals(0, QuantScheme.uint8Asymmetric().qmin());
    assertEquals(255, QuantScheme.uint8Asymmetric().qmax());
    assertEquals(-128, new QuantScheme(DType.INT8, false, -1, false).qmin());
    assertEquals(127, new QuantScheme(DType.UINT8, false, -1, true).qmax());
    assertEquals(-64, new QuantScheme(DType.INT8, true, -1, true).qmin());
    assertThrows(OctetException.class, () -> new QuantScheme(DType.FLOAT, true, -1, false));
    assertThrows(OctetException.class, () -> new QuantScheme(DType.INT16, true, -1, true));
  }

  @Test
  void rangesBecomeParametersAsOnnxRuntimeComputesThem() {
    QParams u8 = QuantMath.fromRange(QuantScheme.uint8Asymmetric(), -1f, 3f);
    assertEquals(4f / 255f, u8.scale(0), 1e-9f);
    assertEquals(64, u8.zeroPoint(0)); // round(0 - (-1) / (4/255)) = round(63.75)
    QParams s8 = QuantMath.fromRange(QuantScheme.int8Symmetric(), -0.5f, 2.54f);
    assertEquals(2.54f / 127, s8.scale(0), 1e-9f);
    assertEquals(0, s8.zeroPoint(0));
    QParams u8sym = QuantMath.fromRange(new QuantScheme(DType.UINT8, true, -1, false), -1f, 1f);
    assertEquals(128, u8sym.zeroPoint(0));
    // a positive-only range still includes 0, exactly representable
    QParams pos = QuantMath.fromRange(QuantScheme.uint8Asymmetric(), 2f, 6f);
    assertEquals(0, pos.zeroPoint(0));
    assertEquals(
        0f, QuantMath.dequantize(QuantMath.quantize(0f, pos.scale(0), 0, 0, 255), pos.scale(0), 0));
    QParams empty = QuantMath.fromRange(QuantScheme.uint8Asymmetric(), 0f, 0f);
    assertEquals(1f, empty.scale(0));
    assertThrows(
        OctetException.class,
        () -> QuantMath.fromRange(QuantScheme.uint8Asymmetric(), Float.NaN, 1f));
  }

  @Test
  void roundingIsHalfToEvenAndValuesSaturate() {
    assertEquals(2, QuantMath.quantize(2.5f, 1f, 0, -128, 127));
    assertEquals(4, QuantMath.quantize(3.5f, 1f, 0, -128, 127));
    assertEquals(-2, QuantMath.quantize(-2.5f, 1f, 0, -128, 127));
    assertEquals(127, QuantMath.quantize(1e9f, 1f, 0, -128, 127));
    assertEquals(0, QuantMath.quantize(-5f, 0.1f, 10, 0, 255));
  }

  @Test
  void dequantizedValuesLieWithinHalfAStepInsideTheRange() {
    Random r = new Random(11);
    for (QuantScheme s :
        new QuantScheme[] {
          QuantScheme.uint8Asymmetric(),
          QuantScheme.int8Symmetric(),
          new QuantScheme(DType.INT16, true, -1, false)
        }) {
      for (int trial = 0; trial < 50; trial++) {
        float lo = (float) (-r.nextDouble() * 10);
        float hi = (float) (r.nextDouble() * 10);
        QParams p = QuantMath.fromRange(s, lo, hi);
        for (int k = 0; k < 200; k++) {
          float x = lo + (float) r.nextDouble() * (hi - lo);
          float back =
              QuantMath.dequantize(
                  QuantMath.quantize(x, p.scale(0), p.zeroPoint(0), p.qmin(), p.qmax()),
                  p.scale(0),
                  p.zeroPoint(0));
          // half a step, plus the float rounding of x / scale (visible with 16-bit types)
          float tol =
              p.scale(0) / 2 + p.scale(0) * Math.ulp(Math.abs(x / p.scale(0))) + Math.ulp(x);
          assertTrue(
              Math.abs(back - x) <= tol,
              s + ": " + x + " -> " + back + " with scale " + p.scale(0));
        }
      }
    }
  }

  @Test
  void perChannelParametersFollowTheirAxis() {
    Tensor w =
        Tensor.wrap(new float[] {1, -2, 3, 4, 10, -20, 30, 40, 0.1f, 0.2f, -0.3f, 0.4f}, 3, 4);
    QParams p =
        QuantMath.fromRanges(
            QuantScheme.int8PerChannel(0), new float[] {-2, -20, -0.3f}, new float[] {4, 40, 0.4f});
    Tensor q = QuantMath.quantize(w, p);
    assertEquals(DType.INT8, q.dtype());
    assertArrayEquals(new byte[] {32, -64, 95, 127, 32, -64, 95, 127, 32, 64, -95, 127}, q.bytes());
    Tensor back = QuantMath.dequantize(q, p);
    for (int i = 0; i < 12; i++) {
      assertEquals(w.floats()[i], back.floats()[i], p.scale(i / 4) / 2 + 1e-6f);
    }
    assertThrows(
        OctetException.class, () -> QuantMath.quantize(Tensor.wrap(new float[8], 2, 4), p));
    assertThrows(
        OctetException.class,
        () -> new QParams(DType.INT8, new float[] {0f}, new int[] {0}, -1, -127, 127));
    assertThrows(
        OctetException.class,
        () -> new QParams(DType.UINT8, new float[] {1f}, new int[] {300}, -1, 0, 255));
  }
}
