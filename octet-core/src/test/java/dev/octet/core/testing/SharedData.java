package dev.octet.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the real models and data in {@code ../shared}. When a file is missing the test is skipped
 * on a developer's machine but fails under {@code CI=true}, so CI can never pass by skipping.
 */
public final class SharedData {
  private SharedData() {}

  public static Path root() {
    String env = System.getenv("OCTET_SHARED");
    if (env != null && Files.isDirectory(Path.of(env))) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
      Path candidate = dir.resolve("shared");
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate;
      }
      candidate = dir.resolveSibling("shared");
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate;
      }
    }
    return Path.of("../shared").toAbsolutePath().normalize();
  }

  /** {@code ../shared/<relative>}, or a skip (a failure under CI=true) when it is missing. */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      missing(p.toString());
    }
    return p;
  }

  /** A classpath resource (e.g. a model inside a Maven jar) copied to a temp file. */
  public static Path resource(String name) {
    try (InputStream in = SharedData.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        missing("classpath resource " + name);
      }
      Path dir =
          Files.createDirectories(
              Path.of(System.getProperty("java.io.tmpdir"), "octet-test-resources"));
      Path out = dir.resolve(name);
      if (!Files.exists(out)) {
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void missing(String what) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(what + " is missing; CI must have ../shared (see ../shared/README.md)");
    }
    Assumptions.abort(what + " is missing; skipped outside CI");
  }
}
