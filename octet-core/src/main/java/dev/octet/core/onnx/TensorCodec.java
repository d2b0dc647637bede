package dev.octet.core.onnx;

import com.google.protobuf.ByteString;
import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.proto.OnnxProto.StringStringEntryProto;
import dev.octet.core.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * TensorProto to {@link Tensor} and back. Reading accepts every encoding the specification allows
 * (raw_data, the typed fields, external data); writing uses raw_data (string_data for strings), or
 * external data when a writer is given and the tensor is large enough.
 */
final class TensorCodec {
  private TensorCodec() {}

  static Tensor decode(TensorProto p, Path baseDir) {
    String name = p.getName().isEmpty() ? "(unnamed)" : p.getName();
    try {
      return decodeChecked(p, baseDir);
    } catch (OctetException e) {
      if (e.getMessage().startsWith("tensor '")) {
        throw e;
      }
      throw new OctetException("tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  private static Tensor decodeChecked(TensorProto p, Path baseDir) {
    DType type = DType.fromCode(p.getDataType());
    if (type == DType.UNDEFINED) {
      throw new OctetException("data_type is UNDEFINED; set it to the element type");
    }
    if (p.hasSegment()) {
      throw new OctetException("segmented tensors are not supported; merge the segments first");
    }
    long[] dims = new long[p.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = p.getDims(i);
    }
    int[] shape = Tensor.checkedShape(dims);
    int count = Tensor.elementCount(shape);
    boolean complex = type.kind() == DType.Kind.COMPLEX;
    int values = complex ? Math.multiplyExact(count, 2) : count;

    if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      long bytes = rawBytes(type, values);
      MemoryGuard.reserve(bytes);
      return Tensor.wrap(
          type, shape, RawCodec.decode(type, count, ExternalData.open(baseDir, p, bytes)));
    }
    if (p.hasRawData()) {
      long bytes = rawBytes(type, values);
      ByteString raw = p.getRawData();
      if (raw.size() != bytes) {
        throw new OctetException(
            "raw_data has "
                + raw.size()
                + " bytes but "
                + type
                + " "
                + java.util.Arrays.toString(dims)
                + " needs "
                + bytes);
      }
      return Tensor.wrap(
          type, shape, RawCodec.decode(type, count, RawCodec.of(raw.asReadOnlyByteBuffer())));
    }
    return Tensor.wrap(type, shape, decodeTyped(p, type, values));
  }

  private static long rawBytes(DType type, int values) {
    if (type == DType.STRING) {
      throw new OctetException("STRING tensors cannot use raw_data or external data");
    }
    return type.rawBytes(values);
  }

  /** The typed *_data fields, which the specification assigns per element type. */
  private static Object decodeTyped(TensorProto p, DType type, int values) {
    switch (type) {
      case FLOAT, COMPLEX64 -> {
        check(p.getFloatDataCount(), values, "float_data");
        float[] out = new float[values];
        for (int i = 0; i < values; i++) {
          out[i] = p.getFloatData(i);
        }
        return out;
      }
      case DOUBLE, COMPLEX128 -> {
        check(p.getDoubleDataCount(), values, "double_data");
        double[] out = new double[values];
        for (int i = 0; i < values; i++) {
          out[i] = p.getDoubleData(i);
        }
        return out;
      }
      case INT64 -> {
        check(p.getInt64DataCount(), values, "int64_data");
        long[] out = new long[values];
        for (int i = 0; i < values; i++) {
          out[i] = p.getInt64Data(i);
        }
        return out;
      }
      case UINT64 -> {
        check(p.getUint64DataCount(), values, "uint64_data");
        long[] out = new long[values];
        for (int i = 0; i < values; i++) {
          out[i] = p.getUint64Data(i);
        }
        return out;
      }
      case UINT32 -> {
        check(p.getUint64DataCount(), values, "uint64_data");
        int[] out = new int[values];
        for (int i = 0; i < values; i++) {
          out[i] = (int) p.getUint64Data(i);
        }
        return out;
      }
      case INT32 -> {
        check(p.getInt32DataCount(), values, "int32_data");
        int[] out = new int[values];
        for (int i = 0; i < values; i++) {
          out[i] = p.getInt32Data(i);
        }
        return out;
      }
      case INT16, UINT16, FLOAT16, BFLOAT16 -> {
        check(p.getInt32DataCount(), values, "int32_data");
        short[] out = new short[values];
        for (int i = 0; i < values; i++) {
          out[i] = (short) p.getInt32Data(i);
        }
        return out;
      }
      case STRING -> {
        check(p.getStringDataCount(), values, "string_data");
        byte[][] out = new byte[values][];
        for (int i = 0; i < values; i++) {
          out[i] = p.getStringData(i).toByteArray();
        }
        return out;
      }
      default -> {
        return decodeInt32Bytes(p, type, values);
      }
    }
  }

  /** 8-bit and sub-byte types in int32_data: one element per entry, or packed bytes for 4/2-bit. */
  private static Object decodeInt32Bytes(TensorProto p, DType type, int values) {
    int n = p.getInt32DataCount();
    if (type.bits() < 8 && n != values) {
      long packed = type.rawBytes(values);
      check(n, packed, "int32_data (packed)");
      ByteBuffer buf = ByteBuffer.allocate((int) packed);
      for (int i = 0; i < n; i++) {
        buf.put((byte) p.getInt32Data(i));
      }
      return RawCodec.decode(type, values, RawCodec.of(buf.flip()));
    }
    check(n, values, "int32_data");
    byte[] out = new byte[values];
    int bits = type.bits();
    for (int i = 0; i < values; i++) {
      int v = p.getInt32Data(i);
      if (type == DType.BOOL) {
        v = v != 0 ? 1 : 0;
      } else if (bits < 8) {
        v &= (1 << bits) - 1;
        if (type.isSigned() && type.isInteger() && (v & (1 << (bits - 1))) != 0) {
          v -= 1 << bits;
        }
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static void check(long have, long want, String field) {
    if (have != want) {
      throw new OctetException(
          field + " holds " + have + " values but the shape needs " + want + " (and no raw_data)");
    }
  }

  /**
   * Encodes {@code t} as TensorProto {@code name}; with a writer, tensors of at least {@code
   * threshold} bytes go to the external file.
   */
  static TensorProto encode(String name, Tensor t, ExternalData.Writer external, long threshold) {
    TensorProto.Builder b = TensorProto.newBuilder().setDataType(t.dtype().code());
    if (name != null && !name.isEmpty()) {
      b.setName(name);
    }
    for (int d : t.shape()) {
      b.addDims(d);
    }
    if (t.dtype() == DType.STRING) {
      for (byte[] s : t.strings()) {
        b.addStringData(ByteString.copyFrom(s));
      }
      return b.build();
    }
    long bytes = t.byteSize();
    if (external != null && bytes >= threshold && bytes > 0) {
      try {
        long offset = external.alignedStart();
        RawCodec.encode(t, external::write);
        b.setDataLocation(TensorProto.DataLocation.EXTERNAL);
        b.addAllExternalData(
            List.of(
                entry("location", external.location()),
                entry("offset", Long.toString(offset)),
                entry("length", Long.toString(bytes))));
        return b.build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (bytes > Integer.MAX_VALUE - 64) {
      throw new OctetException(
          "tensor '" + name + "' has " + bytes + " bytes: save it with external data");
    }
    ByteString.Output out = ByteString.newOutput((int) bytes);
    RawCodec.encode(
        t,
        buf -> {
          byte[] chunk = new byte[buf.remaining()];
          buf.get(chunk);
          out.write(chunk, 0, chunk.length);
        });
    return b.setRawData(out.toByteString()).build();
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }
}
