package dev.octet.core.onnx;

import dev.octet.core.OctetException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file through a temporary file in the same folder and a move, so no reader sees half of
 * it.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static void write(Path path, byte[] bytes) {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new OctetException(path + ": folder " + dir + " does not exist");
    }
    Path tmp = null;
    try {
      tmp = tempFile(dir, ".tmp");
      Files.write(tmp, bytes);
      move(tmp, target);
      tmp = null;
    } catch (IOException e) {
      throw new OctetException(path + ": cannot write: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  /**
   * A new empty file with a fresh hidden name in {@code dir}, created with the process's umask like
   * any file the user writes ({@code Files.createTempFile} would make it readable by its owner
   * only, and the final file would keep that).
   */
  static Path tempFile(Path dir, String suffix) throws IOException {
    Path tmp = dir.resolve(".octet-" + java.util.UUID.randomUUID() + suffix);
    Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW).close();
    return tmp;
  }

  /** Moves atomically where the file system allows it, replacing the target. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
