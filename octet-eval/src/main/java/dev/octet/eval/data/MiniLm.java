package dev.octet.eval.data;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * all-MiniLM-L6-v2 from langchain4j's Maven artifacts (FP32, and ONNX Runtime's dynamic INT8 when
 * that artifact is on the classpath), and sentence-transformers' pooling: mean over the tokens the
 * attention mask keeps, then L2 normalisation.
 */
public final class MiniLm {
  public static final String MODEL = "all-minilm-l6-v2.onnx";
  public static final String QUANTIZED_MODEL = "all-minilm-l6-v2-q.onnx";
  public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

  private MiniLm() {}

  /** The named classpath resource copied once to a cache file (models are loaded from paths). */
  public static Path resource(String name) {
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "octet-resources");
    Path out = dir.resolve(name);
    try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new OctetException(
            "resource "
                + name
                + " is not on the classpath (it comes from langchain4j's all-minilm-l6-v2 Maven artifacts)");
      }
      if (Files.isRegularFile(out)) {
        return out;
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, name, ".tmp");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return out;
    } catch (IOException e) {
      throw new OctetException("cannot extract " + name + ": " + e.getMessage(), e);
    }
  }

  public static TextEncoder tokenizer(int maxLength) {
    return TextEncoder.open(resource(TOKENIZER), maxLength);
  }

  /**
   * Sentence embeddings from last_hidden_state [batch, seq, dim] and attention_mask [batch, seq]:
   * masked mean over tokens, L2-normalised. Returns [batch][dim].
   */
  public static float[][] pool(Tensor hidden, Tensor mask) {
    int b = hidden.dim(0);
    int seq = hidden.dim(1);
    int dim = hidden.dim(2);
    float[] h = hidden.floats();
    long[] m = mask.longs();
    float[][] out = new float[b][dim];
    for (int i = 0; i < b; i++) {
      double[] sum = new double[dim];
      double count = 0;
      for (int t = 0; t < seq; t++) {
        if (m[i * seq + t] != 0) {
          count++;
          for (int d = 0; d < dim; d++) {
            sum[d] += h[(i * seq + t) * dim + d];
          }
        }
      }
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        sum[d] /= Math.max(count, 1e-9);
        norm += sum[d] * sum[d];
      }
      norm = Math.max(Math.sqrt(norm), 1e-12);
      for (int d = 0; d < dim; d++) {
        out[i][d] = (float) (sum[d] / norm);
      }
    }
    return out;
  }
}
