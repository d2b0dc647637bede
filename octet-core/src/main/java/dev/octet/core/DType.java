package dev.octet.core;

/**
 * Every ONNX tensor element type (TensorProto.DataType, onnx 1.22), with its wire width and the
 * in-memory storage that {@link Tensor} uses for it.
 *
 * <p>Storage: sub-byte types (int4, uint4, float4, int2, uint2) keep one element per byte,
 * sign-extended for the signed ones; 16-bit floats keep their raw bits in a {@code short[]};
 * unsigned 32- and 64-bit integers keep their bits in {@code int[]} and {@code long[]}; complex
 * numbers keep interleaved (real, imaginary) pairs.
 */
public enum DType {
  UNDEFINED(0, 0, Storage.NONE, Kind.OTHER, false),
  FLOAT(1, 32, Storage.FLOAT, Kind.FLOAT, true),
  UINT8(2, 8, Storage.BYTE, Kind.INTEGER, false),
  INT8(3, 8, Storage.BYTE, Kind.INTEGER, true),
  UINT16(4, 16, Storage.SHORT, Kind.INTEGER, false),
  INT16(5, 16, Storage.SHORT, Kind.INTEGER, true),
  INT32(6, 32, Storage.INT, Kind.INTEGER, true),
  INT64(7, 64, Storage.LONG, Kind.INTEGER, true),
  STRING(8, 0, Storage.STRING, Kind.OTHER, false),
  BOOL(9, 8, Storage.BYTE, Kind.BOOL, false),
  FLOAT16(10, 16, Storage.SHORT, Kind.FLOAT, true),
  DOUBLE(11, 64, Storage.DOUBLE, Kind.FLOAT, true),
  UINT32(12, 32, Storage.INT, Kind.INTEGER, false),
  UINT64(13, 64, Storage.LONG, Kind.INTEGER, false),
  COMPLEX64(14, 64, Storage.FLOAT, Kind.COMPLEX, true),
  COMPLEX128(15, 128, Storage.DOUBLE, Kind.COMPLEX, true),
  BFLOAT16(16, 16, Storage.SHORT, Kind.FLOAT, true),
  FLOAT8E4M3FN(17, 8, Storage.BYTE, Kind.FLOAT, true),
  FLOAT8E4M3FNUZ(18, 8, Storage.BYTE, Kind.FLOAT, true),
  FLOAT8E5M2(19, 8, Storage.BYTE, Kind.FLOAT, true),
  FLOAT8E5M2FNUZ(20, 8, Storage.BYTE, Kind.FLOAT, true),
  UINT4(21, 4, Storage.BYTE, Kind.INTEGER, false),
  INT4(22, 4, Storage.BYTE, Kind.INTEGER, true),
  FLOAT4E2M1(23, 4, Storage.BYTE, Kind.FLOAT, true),
  FLOAT8E8M0(24, 8, Storage.BYTE, Kind.FLOAT, false),
  UINT2(25, 2, Storage.BYTE, Kind.INTEGER, false),
  INT2(26, 2, Storage.BYTE, Kind.INTEGER, true);

  /** The Java array type that holds a tensor's elements. */
  public enum Storage {
    NONE,
    FLOAT,
    DOUBLE,
    BYTE,
    SHORT,
    INT,
    LONG,
    STRING
  }

  /** Broad numeric family. */
  public enum Kind {
    FLOAT,
    INTEGER,
    BOOL,
    COMPLEX,
    OTHER
  }

  private static final DType[] BY_CODE = new DType[27];

  static {
    for (DType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;
  private final int bits;
  private final Storage storage;
  private final Kind kind;
  private final boolean signed;

  DType(int code, int bits, Storage storage, Kind kind, boolean signed) {
    this.code = code;
    this.bits = bits;
    this.storage = storage;
    this.kind = kind;
    this.signed = signed;
  }

  /** The ONNX TensorProto.DataType code. */
  public int code() {
    return code;
  }

  /** Bits per element on the wire (4 for int4, 2 for int2, 0 for string). */
  public int bits() {
    return bits;
  }

  public Storage storage() {
    return storage;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isFloatingPoint() {
    return kind == Kind.FLOAT;
  }

  public boolean isInteger() {
    return kind == Kind.INTEGER;
  }

  public boolean isSigned() {
    return signed;
  }

  /** Number of bytes that {@code count} elements take in ONNX raw_data (sub-byte types packed). */
  public long rawBytes(long count) {
    if (bits == 0) {
      throw new OctetException(this + " has no fixed-width raw encoding");
    }
    return (count * bits + 7) / 8;
  }

  /** Smallest value of an integer type (0 for unsigned); for integer types only. */
  public long minValue() {
    requireInteger();
    return signed ? -(1L << (bits - 1)) : 0L;
  }

  /** Largest value of an integer type; for integer types only (UINT64 reports Long.MAX_VALUE). */
  public long maxValue() {
    requireInteger();
    if (bits == 64) {
      return Long.MAX_VALUE;
    }
    return signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
  }

  private void requireInteger() {
    if (kind != Kind.INTEGER) {
      throw new OctetException(this + " is not an integer type and has no integer range");
    }
  }

  /** The type with the given ONNX code; a clear error for unknown codes. */
  public static DType fromCode(int code) {
    if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
      throw new OctetException(
          "unknown ONNX data type code " + code + " (known: 0.." + (BY_CODE.length - 1) + ")");
    }
    return BY_CODE[code];
  }

  /** Lower-case ONNX name, as in {@code tensor(float16)}. */
  public String onnxName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
