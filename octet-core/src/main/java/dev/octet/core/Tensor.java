package dev.octet.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable n-dimensional array: an element type, a shape and a flat row-major primitive array
 * whose Java type is {@link DType#storage()}.
 *
 * <p>The typed accessors ({@link #floats()}, {@link #bytes()}, ...) return the backing array
 * without a copy so that kernels can read weights at full speed; callers must treat it as
 * read-only. The {@code wrap} factories take ownership of the array they are given.
 */
public final class Tensor {
  /** The largest element count a Java array holds safely. */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private final DType dtype;
  private final int[] shape;
  private final int size;
  private final Object data;

  private Tensor(DType dtype, int[] shape, Object data) {
    this.dtype = dtype;
    this.shape = shape;
    this.size = elementCount(shape);
    this.data = data;
    int expected = dtype.kind() == DType.Kind.COMPLEX ? 2 * size : size;
    int actual = arrayLength(dtype, data);
    if (actual != expected) {
      throw new OctetException(
          "tensor of type "
              + dtype
              + " and shape "
              + Arrays.toString(shape)
              + " needs "
              + expected
              + " values but its data holds "
              + actual);
    }
  }

  /**
   * Wraps an array of the storage type of {@code dtype} (see {@link DType}); the array is owned by
   * the tensor from now on.
   */
  public static Tensor wrap(DType dtype, int[] shape, Object data) {
    return new Tensor(dtype, shape.clone(), data);
  }

  public static Tensor wrap(float[] data, int... shape) {
    return new Tensor(DType.FLOAT, shape.clone(), data);
  }

  public static Tensor wrap(long[] data, int... shape) {
    return new Tensor(DType.INT64, shape.clone(), data);
  }

  public static Tensor wrap(int[] data, int... shape) {
    return new Tensor(DType.INT32, shape.clone(), data);
  }

  public static Tensor scalar(float value) {
    return new Tensor(DType.FLOAT, new int[0], new float[] {value});
  }

  public static Tensor scalar(long value) {
    return new Tensor(DType.INT64, new int[0], new long[] {value});
  }

  /** A zero-filled tensor; fails clearly when the element count is too large to hold. */
  public static Tensor zeros(DType dtype, int... shape) {
    int n = elementCount(shape);
    int len = dtype.kind() == DType.Kind.COMPLEX ? Math.multiplyExact(2, n) : n;
    return new Tensor(dtype, shape.clone(), allocate(dtype, len));
  }

  /** A new array of the storage type of {@code dtype} with {@code length} elements. */
  public static Object allocate(DType dtype, int length) {
    return switch (dtype.storage()) {
      case FLOAT -> new float[length];
      case DOUBLE -> new double[length];
      case BYTE -> new byte[length];
      case SHORT -> new short[length];
      case INT -> new int[length];
      case LONG -> new long[length];
      case STRING -> {
        byte[][] s = new byte[length][];
        Arrays.fill(s, new byte[0]);
        yield s;
      }
      case NONE -> throw new OctetException("cannot allocate a tensor of type " + dtype);
    };
  }

  /**
   * Product of the dimensions, checked: negative dimensions and counts that do not fit in one Java
   * array are rejected with a message that says so.
   */
  public static int elementCount(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new OctetException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
      if (n > MAX_ELEMENTS) {
        throw new OctetException(
            "shape " + Arrays.toString(shape) + " has more than " + MAX_ELEMENTS + " elements");
      }
    }
    return (int) n;
  }

  /** Converts ONNX int64 dimensions to a checked int shape. */
  public static int[] checkedShape(long[] dims) {
    int[] shape = new int[dims.length];
    long n = 1;
    for (int i = 0; i < dims.length; i++) {
      long d = dims[i];
      if (d < 0) {
        throw new OctetException("negative dimension " + d + " in shape " + Arrays.toString(dims));
      }
      if (d > MAX_ELEMENTS || (n = n * d) > MAX_ELEMENTS) {
        throw new OctetException(
            "shape "
                + Arrays.toString(dims)
                + " has more elements than one tensor can hold ("
                + MAX_ELEMENTS
                + ")");
      }
      shape[i] = (int) d;
    }
    return shape;
  }

  private static int arrayLength(DType dtype, Object data) {
    if (data == null) {
      throw new OctetException("tensor data is null");
    }
    return switch (dtype.storage()) {
      case FLOAT -> ((float[]) expect(data, float[].class, dtype)).length;
      case DOUBLE -> ((double[]) expect(data, double[].class, dtype)).length;
      case BYTE -> ((byte[]) expect(data, byte[].class, dtype)).length;
      case SHORT -> ((short[]) expect(data, short[].class, dtype)).length;
      case INT -> ((int[]) expect(data, int[].class, dtype)).length;
      case LONG -> ((long[]) expect(data, long[].class, dtype)).length;
      case STRING -> ((byte[][]) expect(data, byte[][].class, dtype)).length;
      case NONE -> throw new OctetException("a tensor cannot have type " + dtype);
    };
  }

  private static Object expect(Object data, Class<?> type, DType dtype) {
    if (!type.isInstance(data)) {
      throw new OctetException(
          dtype
              + " tensors are stored as "
              + type.getSimpleName()
              + ", not "
              + data.getClass().getSimpleName());
    }
    return data;
  }

  public DType dtype() {
    return dtype;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public int dim(int axis) {
    return shape[axis < 0 ? axis + shape.length : axis];
  }

  /** Number of elements (complex numbers count once). */
  public int size() {
    return size;
  }

  /** The backing array, of the storage type of the dtype. Read-only by contract. */
  public Object data() {
    return data;
  }

  public float[] floats() {
    return (float[]) typed(DType.Storage.FLOAT);
  }

  public double[] doubles() {
    return (double[]) typed(DType.Storage.DOUBLE);
  }

  public byte[] bytes() {
    return (byte[]) typed(DType.Storage.BYTE);
  }

  public short[] shorts() {
    return (short[]) typed(DType.Storage.SHORT);
  }

  public int[] ints() {
    return (int[]) typed(DType.Storage.INT);
  }

  public long[] longs() {
    return (long[]) typed(DType.Storage.LONG);
  }

  /** The raw UTF-8 bytes of each element of a STRING tensor. */
  public byte[][] strings() {
    return (byte[][]) typed(DType.Storage.STRING);
  }

  public String string(int index) {
    return new String(strings()[index], StandardCharsets.UTF_8);
  }

  private Object typed(DType.Storage want) {
    if (dtype.storage() != want) {
      throw new OctetException(
          "tensor is " + dtype + ", stored as " + dtype.storage() + ", not " + want);
    }
    return data;
  }

  /** Same data, another shape with the same element count. */
  public Tensor reshape(int... newShape) {
    if (elementCount(newShape) != size) {
      throw new OctetException(
          "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new Tensor(dtype, newShape.clone(), data);
  }

  /**
   * Element {@code i} (flat index) as a double, for any real numeric type: unsigned types are read
   * as unsigned, 16-bit floats decoded. Slow path for inspection and tests, not for kernels.
   */
  public double getDouble(int i) {
    return switch (dtype) {
      case FLOAT -> ((float[]) data)[i];
      case DOUBLE -> ((double[]) data)[i];
      case INT8, INT4, INT2 -> ((byte[]) data)[i];
      case UINT8, BOOL, UINT4, UINT2 -> ((byte[]) data)[i] & 0xFF;
      case INT16 -> ((short[]) data)[i];
      case UINT16 -> ((short[]) data)[i] & 0xFFFF;
      case FLOAT16 -> Float.float16ToFloat(((short[]) data)[i]);
      case BFLOAT16 -> FloatBits.bfloat16ToFloat(((short[]) data)[i]);
      case INT32 -> ((int[]) data)[i];
      case UINT32 -> ((int[]) data)[i] & 0xFFFFFFFFL;
      case INT64 -> ((long[]) data)[i];
      case UINT64 -> FloatBits.unsignedLongToDouble(((long[]) data)[i]);
      default -> throw new OctetException("cannot read " + dtype + " elements as numbers");
    };
  }

  /** All elements converted to float (see {@link #getDouble}); a copy. */
  public float[] toFloatArray() {
    if (dtype == DType.FLOAT) {
      return ((float[]) data).clone();
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = (float) getDouble(i);
    }
    return out;
  }

  /** Size of the elements in bytes as ONNX stores them (sub-byte types packed). */
  public long byteSize() {
    if (dtype == DType.STRING) {
      long n = 0;
      for (byte[] s : strings()) {
        n += s.length;
      }
      return n;
    }
    return dtype.rawBytes(dtype.kind() == DType.Kind.COMPLEX ? 2L * size : size);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Tensor t) || t.dtype != dtype || !Arrays.equals(t.shape, shape)) {
      return false;
    }
    return switch (dtype.storage()) {
      case FLOAT -> Arrays.equals((float[]) data, (float[]) t.data);
      case DOUBLE -> Arrays.equals((double[]) data, (double[]) t.data);
      case BYTE -> Arrays.equals((byte[]) data, (byte[]) t.data);
      case SHORT -> Arrays.equals((short[]) data, (short[]) t.data);
      case INT -> Arrays.equals((int[]) data, (int[]) t.data);
      case LONG -> Arrays.equals((long[]) data, (long[]) t.data);
      case STRING -> Arrays.deepEquals((byte[][]) data, (byte[][]) t.data);
      case NONE -> true;
    };
  }

  @Override
  public int hashCode() {
    int h = 31 * dtype.hashCode() + Arrays.hashCode(shape);
    return 31 * h + size;
  }

  @Override
  public String toString() {
    return "Tensor(" + dtype.onnxName() + Arrays.toString(shape) + ")";
  }
}
