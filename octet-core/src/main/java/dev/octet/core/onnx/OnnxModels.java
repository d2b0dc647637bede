package dev.octet.core.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.proto.OnnxProto.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads and saves ONNX models; the only public entry to protobuf.
 *
 * <p>Loading checks everything a hostile file could get wrong (lengths, shapes, types, external
 * paths) and reports it as an {@link OctetException} that names the file and the tensor or node.
 * Saving is atomic: the model (and its external data file) are written to temporary files in the
 * target folder and moved into place, so a failure leaves no half-written output.
 */
public final class OnnxModels {
  /** Protobuf messages cannot exceed 2 GB; larger models must keep tensors in external data. */
  static final long PROTOBUF_LIMIT = Integer.MAX_VALUE - 64L;

  /** Inline tensors above this total make {@link #save} switch to external data by itself. */
  static final long AUTO_EXTERNAL_TOTAL = 1L << 30;

  private OnnxModels() {}

  /** How tensors are stored by {@link #save(Model, Path, SaveOptions)}. */
  public record SaveOptions(String externalDataFile, long externalThresholdBytes) {
    public SaveOptions {
      if (externalDataFile != null
          && (externalDataFile.isBlank()
              || externalDataFile.contains("/")
              || externalDataFile.contains("\\")
              || externalDataFile.equals("..")
              || externalDataFile.equals("."))) {
        throw new OctetException(
            "external data file name '"
                + externalDataFile
                + "' must be a plain file name in the model's folder");
      }
      if (externalThresholdBytes < 0) {
        throw new OctetException("external data threshold must be >= 0 bytes");
      }
    }

    /** Every tensor inside the .onnx file (switches to external data by itself above 1 GiB). */
    public static SaveOptions inline() {
      return new SaveOptions(null, 0);
    }

    /** Tensors of at least {@code thresholdBytes} go to {@code fileName} beside the model. */
    public static SaveOptions external(String fileName, long thresholdBytes) {
      return new SaveOptions(fileName, thresholdBytes);
    }
  }

  public static Model load(Path path) {
    if (!Files.exists(path)) {
      throw new OctetException(path + ": no such file");
    }
    if (Files.isDirectory(path)) {
      throw new OctetException(path + ": is a directory, not an ONNX model file");
    }
    try {
      long size = Files.size(path);
      if (size > PROTOBUF_LIMIT) {
        throw new OctetException(
            "is "
                + size
                + " bytes; an ONNX protobuf file cannot exceed 2 GB (large models keep their"
                + " tensors in external data files)");
      }
      byte[] bytes = Files.readAllBytes(path);
      Path dir = path.toAbsolutePath().getParent();
      return parse(bytes, dir);
    } catch (IOException e) {
      throw new OctetException(path + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException | OutOfMemoryError e) {
      throw describe(path.toString(), e);
    }
  }

  /** Loads a model held in memory; it must not reference external data. */
  public static Model load(byte[] bytes) {
    try {
      return parse(bytes, null);
    } catch (RuntimeException | OutOfMemoryError e) {
      throw describe("model bytes", e);
    }
  }

  /** Reads the stream to its end and loads the model; it must not reference external data. */
  public static Model load(InputStream in) {
    try {
      return load(in.readAllBytes());
    } catch (IOException e) {
      throw new OctetException("cannot read model stream: " + e.getMessage(), e);
    }
  }

  private static Model parse(byte[] bytes, Path dir) {
    ModelProto proto;
    try {
      CodedInputStream cis = CodedInputStream.newInstance(bytes);
      cis.setSizeLimit(Integer.MAX_VALUE);
      proto = ModelProto.parseFrom(cis);
    } catch (IOException e) {
      throw new OctetException(
          "not a valid ONNX model (protobuf: "
              + firstSentence(e.getMessage())
              + "); the file may be truncated or not an .onnx file",
          e);
    }
    return new ProtoDecoder(dir).model(proto);
  }

  private static String firstSentence(String s) {
    if (s == null) {
      return "unreadable";
    }
    int dot = s.indexOf(". ");
    return dot > 0 ? s.substring(0, dot) : s.replaceAll("\\.$", "");
  }

  private static OctetException describe(String what, Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return new OctetException(
          what + ": ran out of memory while loading; raise -Xmx (e.g. OCTET_OPTS=-Xmx16g)");
    }
    if (e instanceof OctetException oe && oe.getMessage().startsWith(what)) {
      return oe;
    }
    return OctetException.wrap(what, e);
  }

  /** The model as ONNX bytes, every tensor inline (fails beyond protobuf's 2 GB limit). */
  public static byte[] toBytes(Model model) {
    ModelProto proto = new ProtoEncoder(null, 0).model(model);
    return proto.toByteArray();
  }

  public static void save(Model model, Path path) {
    save(model, path, SaveOptions.inline());
  }

  /**
   * Writes {@code model} to {@code path} atomically; with external data the data file is written
   * beside it first. An existing file at {@code path} is replaced only when everything succeeded.
   */
  public static void save(Model model, Path path, SaveOptions options) {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    if (Files.isDirectory(target)) {
      throw new OctetException(path + ": is a directory; give a file name for the model");
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new OctetException(path + ": folder " + dir + " does not exist");
    }
    String dataFile = options.externalDataFile();
    long threshold = options.externalThresholdBytes();
    if (dataFile == null && totalTensorBytes(model) > AUTO_EXTERNAL_TOTAL) {
      dataFile = target.getFileName() + ".data";
      threshold = 1024;
    }
    Path tmpModel = null;
    Path tmpData = null;
    try {
      tmpModel = AtomicFiles.tempFile(dir, ".onnx.tmp");
      ModelProto proto;
      if (dataFile != null) {
        tmpData = AtomicFiles.tempFile(dir, ".data.tmp");
        try (ExternalData.Writer w = new ExternalData.Writer(tmpData, dataFile)) {
          proto = new ProtoEncoder(w, threshold).model(model);
          w.force();
        }
      } else {
        proto = new ProtoEncoder(null, 0).model(model);
      }
      if (proto.getSerializedSize() < 0 || proto.getSerializedSize() > PROTOBUF_LIMIT) {
        throw new OctetException("the model exceeds 2 GB; save it with external data");
      }
      try (OutputStream out = Files.newOutputStream(tmpModel)) {
        CodedOutputStream cos = CodedOutputStream.newInstance(out, 1 << 16);
        proto.writeTo(cos);
        cos.flush();
      }
      if (tmpData != null) {
        move(tmpData, dir.resolve(dataFile));
        tmpData = null;
      }
      move(tmpModel, target);
      tmpModel = null;
    } catch (IOException e) {
      throw new OctetException(path + ": cannot write: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw describe(path.toString(), e);
    } finally {
      deleteQuietly(tmpModel);
      deleteQuietly(tmpData);
    }
  }

  private static long totalTensorBytes(Model model) {
    long total = 0;
    for (Tensor t : model.graph().initializers().values()) {
      total += t.byteSize();
    }
    return total;
  }

  private static void move(Path from, Path to) throws IOException {
    AtomicFiles.move(from, to);
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort: a leftover temp file is hidden and harmless
      }
    }
  }
}
