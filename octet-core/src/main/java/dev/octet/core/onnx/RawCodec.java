package dev.octet.core.onnx;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ONNX raw_data layout: little-endian, row-major, sub-byte types packed low bits first. Decodes
 * into and encodes from {@link Tensor}'s storage arrays in chunks, so tensors larger than one
 * ByteBuffer (2 GB) stream through.
 */
final class RawCodec {
  private RawCodec() {}

  /** Source of raw bytes, read sequentially in chunks. */
  interface ChunkSource {
    /** Fills {@code buf} (position 0 to limit) with the next bytes. */
    void read(ByteBuffer buf);
  }

  /** Sink of raw bytes, written sequentially in chunks. */
  interface ChunkSink {
    void write(ByteBuffer buf);
  }

  static final int CHUNK = 1 << 24;

  /** Decodes {@code count} elements (2x for complex) of {@code type} from {@code src}. */
  static Object decode(DType type, int count, ChunkSource src) {
    int values = type.kind() == DType.Kind.COMPLEX ? Math.multiplyExact(count, 2) : count;
    Object out = Tensor.allocate(type, values);
    if (type.bits() < 8) {
      decodeSubByte(type, (byte[]) out, src);
      return out;
    }
    int width = type.bits() / 8;
    int perChunk = CHUNK / width;
    ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, Math.max(values * width, 0)));
    buf.order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < values; start += perChunk) {
      int n = Math.min(perChunk, values - start);
      buf.clear().limit(n * width);
      src.read(buf);
      buf.flip();
      switch (type.storage()) {
        case FLOAT -> buf.asFloatBuffer().get((float[]) out, start, n);
        case DOUBLE -> buf.asDoubleBuffer().get((double[]) out, start, n);
        case BYTE -> buf.get((byte[]) out, start, n);
        case SHORT -> buf.asShortBuffer().get((short[]) out, start, n);
        case INT -> buf.asIntBuffer().get((int[]) out, start, n);
        case LONG -> buf.asLongBuffer().get((long[]) out, start, n);
        default -> throw new OctetException(type + " has no raw encoding");
      }
    }
    if (type == DType.BOOL) {
      byte[] b = (byte[]) out;
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (b[i] != 0 ? 1 : 0);
      }
    }
    return out;
  }

  private static void decodeSubByte(DType type, byte[] out, ChunkSource src) {
    int bits = type.bits();
    int perByte = 8 / bits;
    int mask = (1 << bits) - 1;
    long totalBytes = type.rawBytes(out.length);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, totalBytes));
    int i = 0;
    for (long done = 0; done < totalBytes; ) {
      int n = (int) Math.min(CHUNK, totalBytes - done);
      buf.clear().limit(n);
      src.read(buf);
      buf.flip();
      for (int k = 0; k < n; k++) {
        int b = buf.get() & 0xFF;
        for (int j = 0; j < perByte && i < out.length; j++, i++) {
          int v = (b >>> (j * bits)) & mask;
          if (type.isSigned()
              && type.kind() == DType.Kind.INTEGER
              && (v & (1 << (bits - 1))) != 0) {
            v -= 1 << bits;
          }
          out[i] = (byte) v;
        }
      }
      done += n;
    }
  }

  /** Encodes all elements of {@code t} into {@code sink}. */
  static void encode(Tensor t, ChunkSink sink) {
    DType type = t.dtype();
    if (type.bits() < 8) {
      encodeSubByte(type, t.bytes(), sink);
      return;
    }
    int values = type.kind() == DType.Kind.COMPLEX ? 2 * t.size() : t.size();
    int width = type.bits() / 8;
    int perChunk = CHUNK / width;
    ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, values * width));
    buf.order(ByteOrder.LITTLE_ENDIAN);
    Object data = t.data();
    for (int start = 0; start < values; start += perChunk) {
      int n = Math.min(perChunk, values - start);
      buf.clear();
      switch (type.storage()) {
        case FLOAT -> buf.asFloatBuffer().put((float[]) data, start, n);
        case DOUBLE -> buf.asDoubleBuffer().put((double[]) data, start, n);
        case BYTE -> buf.put((byte[]) data, start, n);
        case SHORT -> buf.asShortBuffer().put((short[]) data, start, n);
        case INT -> buf.asIntBuffer().put((int[]) data, start, n);
        case LONG -> buf.asLongBuffer().put((long[]) data, start, n);
        default -> throw new OctetException(type + " has no raw encoding");
      }
      buf.position(0).limit(n * width);
      sink.write(buf);
    }
  }

  private static void encodeSubByte(DType type, byte[] in, ChunkSink sink) {
    int bits = type.bits();
    int perByte = 8 / bits;
    int mask = (1 << bits) - 1;
    int totalBytes = (int) type.rawBytes(in.length);
    ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, totalBytes));
    int i = 0;
    for (int done = 0; done < totalBytes; ) {
      int n = Math.min(CHUNK, totalBytes - done);
      buf.clear();
      for (int k = 0; k < n; k++) {
        int b = 0;
        for (int j = 0; j < perByte && i < in.length; j++, i++) {
          b |= (in[i] & mask) << (j * bits);
        }
        buf.put((byte) b);
      }
      buf.flip();
      sink.write(buf);
      done += n;
    }
  }

  /** A source over an in-memory buffer that must hold exactly the bytes needed. */
  static ChunkSource of(ByteBuffer whole) {
    ByteBuffer src = whole.duplicate();
    return buf -> {
      int n = buf.remaining();
      if (src.remaining() < n) {
        throw new OctetException("raw data ends early");
      }
      ByteBuffer slice = src.slice(src.position(), n);
      buf.put(slice);
      src.position(src.position() + n);
    };
  }
}
