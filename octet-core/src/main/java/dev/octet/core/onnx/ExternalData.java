package dev.octet.core.onnx;

import dev.octet.core.OctetException;
import dev.octet.core.proto.OnnxProto.StringStringEntryProto;
import dev.octet.core.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tensors stored outside the .onnx file (data_location = EXTERNAL): keys location, offset, length.
 * A location must resolve inside the model's folder: absolute paths, ".." segments and symlinks
 * that lead out are refused, so that a hostile model cannot make Octet read arbitrary files.
 */
final class ExternalData {
  private ExternalData() {}

  /** Reads the {@code expectedBytes} bytes of tensor {@code name} from its external file. */
  static RawCodec.ChunkSource open(Path baseDir, TensorProto t, long expectedBytes) {
    String name = t.getName();
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parse(name, "offset", e.getValue());
        case "length" -> length = parse(name, "length", e.getValue());
        default -> {}
      }
    }
    if (location == null || location.isEmpty()) {
      throw new OctetException(
          "tensor '" + name + "' is stored externally but its external_data has no location");
    }
    if (baseDir == null) {
      throw new OctetException(
          "tensor '"
              + name
              + "' is stored in external file '"
              + location
              + "': load the model from its file path so that the file can be found");
    }
    Path file = resolveInside(baseDir, location, name);
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new OctetException(
          "tensor '" + name + "': cannot read external data file " + file + ": " + e.getMessage());
    }
    if (length < 0) {
      length = size - offset;
    }
    if (offset < 0 || offset > size || length != expectedBytes || offset + length > size) {
      throw new OctetException(
          "tensor '"
              + name
              + "': external data at offset "
              + offset
              + " length "
              + length
              + " in "
              + file
              + " (size "
              + size
              + ") does not hold the "
              + expectedBytes
              + " bytes its type and shape need");
    }
    final long start = offset;
    return new RawCodec.ChunkSource() {
      long pos = start;

      @Override
      public void read(ByteBuffer buf) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
              throw new OctetException(
                  "tensor '" + name + "': external data file " + file + " ends early");
            }
            pos += n;
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  static Path resolveInside(Path baseDir, String location, String tensorName) {
    Path rel;
    try {
      rel = Path.of(location);
    } catch (RuntimeException e) {
      throw new OctetException(
          "tensor '"
              + tensorName
              + "': external data location '"
              + location
              + "' is not a valid path");
    }
    if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
      throw new OctetException(
          "tensor '"
              + tensorName
              + "': external data location '"
              + location
              + "' is absolute; it must be relative to the model's folder");
    }
    for (Path part : rel) {
      if (part.toString().equals("..")) {
        throw new OctetException(
            "tensor '"
                + tensorName
                + "': external data location '"
                + location
                + "' leaves the model's folder ('..' is not allowed)");
      }
    }
    try {
      Path base = baseDir.toRealPath();
      Path file = base.resolve(rel).normalize();
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new OctetException(
            "tensor '"
                + tensorName
                + "': external data file '"
                + location
                + "' does not exist in "
                + base);
      }
      Path real = file.toRealPath();
      if (!real.startsWith(base)) {
        throw new OctetException(
            "tensor '"
                + tensorName
                + "': external data location '"
                + location
                + "' is a link that leads out of the model's folder, to "
                + real);
      }
      if (!Files.isRegularFile(real)) {
        throw new OctetException(
            "tensor '" + tensorName + "': external data location '" + location + "' is not a file");
      }
      return real;
    } catch (IOException e) {
      throw new OctetException(
          "tensor '" + tensorName + "': cannot resolve external data '" + location + "': " + e);
    }
  }

  private static long parse(String tensor, String key, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new OctetException(
          "tensor '" + tensor + "': external data " + key + " '" + value + "' is not a number");
    }
  }

  /** Appends tensors to one external data file, each aligned to {@link #ALIGN} bytes. */
  static final class Writer implements AutoCloseable {
    static final int ALIGN = 64;
    private final FileChannel channel;
    private final String location;
    private long position;

    Writer(Path file, String location) throws IOException {
      this.channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
      this.location = location;
    }

    String location() {
      return location;
    }

    long alignedStart() throws IOException {
      long pad = (ALIGN - position % ALIGN) % ALIGN;
      if (pad > 0) {
        channel.write(ByteBuffer.allocate((int) pad), position);
        position += pad;
      }
      return position;
    }

    void write(ByteBuffer buf) {
      try {
        while (buf.hasRemaining()) {
          position += channel.write(buf, position);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    long position() {
      return position;
    }

    void force() throws IOException {
      channel.force(true);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
