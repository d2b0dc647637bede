package dev.octet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void shapesAreCheckedBeforeAnythingIsAllocated() {
    assertThrows(OctetException.class, () -> Tensor.checkedShape(new long[] {1L << 20, 1L << 20}));
    assertThrows(OctetException.class, () -> Tensor.checkedShape(new long[] {-1, 3}));
    assertThrows(OctetException.class, () -> Tensor.zeros(DType.FLOAT, 65536, 65536));
    assertThrows(OctetException.class, () -> Tensor.wrap(new float[5], 2, 3));
    assertEquals(0, Tensor.zeros(DType.FLOAT, 3, 0).size());
  }

  @Test
  void numericReadsHonourSignednessAndHalfPrecision() {
    Tensor u8 = Tensor.wrap(DType.UINT8, new int[] {2}, new byte[] {(byte) 255, 1});
    assertEquals(255.0, u8.getDouble(0));
    Tensor i8 = Tensor.wrap(DType.INT8, new int[] {1}, new byte[] {(byte) 255});
    assertEquals(-1.0, i8.getDouble(0));
    short bf = FloatBits.floatToBfloat16(3.140625f);
    assertEquals(3.140625f, FloatBits.bfloat16ToFloat(bf));
    // round to nearest even: 1 + 2^-8 is exactly between two bfloat16 values and rounds down
    assertEquals(1.0f, FloatBits.bfloat16ToFloat(FloatBits.floatToBfloat16(1f + 1f / 256)));
    assertEquals(18446744073709551615.0, FloatBits.unsignedLongToDouble(-1L));
  }

  @Test
  void equalityIsByTypeShapeAndBits() {
    Tensor a = Tensor.wrap(new float[] {1, Float.NaN}, 2);
    assertEquals(a, Tensor.wrap(new float[] {1, Float.NaN}, 2));
    assertNotEquals(a, Tensor.wrap(new float[] {1, Float.NaN}, 1, 2));
    assertNotEquals(a, Tensor.wrap(new float[] {1, 2}, 2));
  }

  @Test
  void dtypeRanges() {
    assertEquals(-128, DType.INT8.minValue());
    assertEquals(255, DType.UINT8.maxValue());
    assertEquals(-8, DType.INT4.minValue());
    assertEquals(65535, DType.UINT16.maxValue());
    assertEquals(3, DType.INT4.rawBytes(5));
    assertThrows(OctetException.class, () -> DType.fromCode(99));
  }
}
