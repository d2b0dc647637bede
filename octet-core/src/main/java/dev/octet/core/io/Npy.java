package dev.octet.core.io;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.onnx.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy's .npy format (version 1 and 2 headers, C order): float32/64, float16, int8/16/32/64,
 * uint8/16, bool. Little-endian data only.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Map<String, DType> DESCR =
      Map.ofEntries(
          Map.entry("f4", DType.FLOAT),
          Map.entry("f8", DType.DOUBLE),
          Map.entry("f2", DType.FLOAT16),
          Map.entry("i1", DType.INT8),
          Map.entry("i2", DType.INT16),
          Map.entry("i4", DType.INT32),
          Map.entry("i8", DType.INT64),
          Map.entry("u1", DType.UINT8),
          Map.entry("u2", DType.UINT16),
          Map.entry("b1", DType.BOOL));

  private Npy() {}

  public static Tensor read(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new OctetException(file + ": cannot read: " + e.getMessage(), e);
    }
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    for (byte m : MAGIC) {
      if (!b.hasRemaining() || b.get() != m) {
        throw new OctetException(file + ": not a .npy file (bad magic)");
      }
    }
    if (b.remaining() < 4) {
      throw new OctetException(file + ": truncated .npy header");
    }
    int major = b.get();
    b.get();
    long headerLen = major == 1 ? (b.getShort() & 0xFFFF) : (b.getInt() & 0xFFFFFFFFL);
    if (headerLen > b.remaining()) {
      throw new OctetException(file + ": truncated .npy header");
    }
    byte[] h = new byte[(int) headerLen];
    b.get(h);
    String header = new String(h, StandardCharsets.ISO_8859_1);
    String descr = field(header, "descr", "'([^']*)'", file);
    if (field(header, "fortran_order", "(True|False)", file).equals("True")) {
      throw new OctetException(
          file + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
    }
    if (descr.startsWith(">")) {
      throw new OctetException(file + ": big-endian data is not supported");
    }
    DType type = DESCR.get(descr.replaceAll("^[<|=]", ""));
    if (type == null) {
      throw new OctetException(file + ": numpy type '" + descr + "' is not supported");
    }
    String shapeText = field(header, "shape", "\\(([^)]*)\\)", file).strip();
    String[] parts = shapeText.isEmpty() ? new String[0] : shapeText.split(",");
    int rank = 0;
    long[] dims = new long[parts.length];
    for (String p : parts) {
      if (!p.isBlank()) {
        try {
          dims[rank++] = Long.parseLong(p.strip());
        } catch (NumberFormatException e) {
          throw new OctetException(file + ": bad shape '" + shapeText + "'");
        }
      }
    }
    int[] shape = Tensor.checkedShape(java.util.Arrays.copyOf(dims, rank));
    int n = Tensor.elementCount(shape);
    long need = (long) n * (type.bits() / 8);
    if (b.remaining() != need) {
      throw new OctetException(
          file + ": holds " + b.remaining() + " data bytes, shape " + shapeText + " needs " + need);
    }
    Object data = Tensor.allocate(type, n);
    switch (type.storage()) {
      case FLOAT -> b.asFloatBuffer().get((float[]) data);
      case DOUBLE -> b.asDoubleBuffer().get((double[]) data);
      case SHORT -> b.asShortBuffer().get((short[]) data);
      case INT -> b.asIntBuffer().get((int[]) data);
      case LONG -> b.asLongBuffer().get((long[]) data);
      case BYTE -> b.get((byte[]) data);
      default -> throw new OctetException(file + ": unsupported type " + type);
    }
    return Tensor.wrap(type, shape, data);
  }

  private static String field(String header, String key, String valuePattern, Path file) {
    Matcher m = Pattern.compile("'" + key + "'\\s*:\\s*" + valuePattern).matcher(header);
    if (!m.find()) {
      throw new OctetException(file + ": .npy header lacks '" + key + "'");
    }
    return m.group(1);
  }

  /** Writes {@code t} as a version 1 .npy file, atomically. */
  public static void write(Path file, Tensor t) {
    String descr =
        DESCR.entrySet().stream()
            .filter(e -> e.getValue() == t.dtype())
            .map(e -> (t.dtype().bits() == 8 ? "|" : "<") + e.getKey())
            .findFirst()
            .orElseThrow(
                () ->
                    new OctetException(
                        "cannot write " + t.dtype().onnxName() + " tensors as .npy"));
    // numpy tuple syntax: (), (n,), (a, b, c)
    String[] dims =
        java.util.Arrays.stream(t.shape()).mapToObj(Integer::toString).toArray(String[]::new);
    String shape = dims.length == 1 ? "(" + dims[0] + ",)" : "(" + String.join(", ", dims) + ")";
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xFF);
    out.write(header.length() >> 8);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    int width = t.dtype().bits() / 8;
    ByteBuffer b = ByteBuffer.allocate(t.size() * width).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.dtype().storage()) {
      case FLOAT -> b.asFloatBuffer().put(t.floats());
      case DOUBLE -> b.asDoubleBuffer().put(t.doubles());
      case SHORT -> b.asShortBuffer().put(t.shorts());
      case INT -> b.asIntBuffer().put(t.ints());
      case LONG -> b.asLongBuffer().put(t.longs());
      case BYTE -> b.put(t.bytes());
      default -> throw new OctetException("cannot write " + t.dtype());
    }
    out.writeBytes(b.array());
    AtomicFiles.write(file, out.toByteArray());
  }
}
