package dev.octet.core.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Single tensors in ONNX's TensorProto (.pb) format, as the ONNX test data stores them. */
public final class TensorFiles {
  private TensorFiles() {}

  /** A tensor and the name its file gives it ("" when none). */
  public record Named(String name, Tensor tensor) {}

  public static Named read(Path path) {
    try {
      TensorProto p = TensorProto.parseFrom(Files.readAllBytes(path));
      return new Named(p.getName(), TensorCodec.decode(p, path.toAbsolutePath().getParent()));
    } catch (InvalidProtocolBufferException e) {
      throw new OctetException(path + ": not a TensorProto file (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new OctetException(path + ": cannot read: " + e.getMessage(), e);
    } catch (OctetException e) {
      throw new OctetException(path + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code tensor} as a TensorProto named {@code name}, atomically. */
  public static void write(Path path, String name, Tensor tensor) {
    byte[] bytes = TensorCodec.encode(name, tensor, null, 0).toByteArray();
    AtomicFiles.write(path, bytes);
  }
}
