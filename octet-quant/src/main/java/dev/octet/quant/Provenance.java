package dev.octet.quant;

import dev.octet.core.OctetException;
import dev.octet.core.graph.Model;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a quantized model came from, written into its metadata_props. */
public final class Provenance {
  private Provenance() {}

  /** The model with octet.* metadata: tool and version, recipe, source hash, calibration data. */
  public static Model stamp(
      Model quantized, String sourceSha256, Recipe recipe, String calibration) {
    Map<String, String> meta = new LinkedHashMap<>(quantized.metadata());
    String version = Provenance.class.getPackage().getImplementationVersion();
    meta.put("octet.version", version == null ? "dev" : version);
    meta.put("octet.recipe", recipe.toJson());
    meta.put("octet.source.sha256", sourceSha256);
    meta.put("octet.calibration", calibration);
    return quantized.withMetadata(meta).withProducer("octet", version == null ? "dev" : version);
  }

  public static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (IOException e) {
      throw new OctetException(file + ": cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
