package dev.octet.eval.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns sentences into BERT-style inputs with a HuggingFace tokenizer.json (DJL's binding): int64
 * [batch, seq] input_ids, attention_mask and token_type_ids, padded to the longest sentence of the
 * batch and truncated to {@code maxLength} tokens.
 */
public final class TextEncoder implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private TextEncoder(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  public static TextEncoder open(Path tokenizerJson, int maxLength) {
    try {
      return new TextEncoder(HuggingFaceTokenizer.newInstance(tokenizerJson, options(maxLength)));
    } catch (IOException | RuntimeException e) {
      throw new OctetException(tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
    }
  }

  public static TextEncoder open(InputStream tokenizerJson, int maxLength) {
    try {
      return new TextEncoder(HuggingFaceTokenizer.newInstance(tokenizerJson, options(maxLength)));
    } catch (IOException | RuntimeException e) {
      throw new OctetException("cannot load tokenizer: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> options(int maxLength) {
    return Map.of(
        "padding", "false", "truncation", "true", "maxLength", Integer.toString(maxLength));
  }

  /** The model inputs for {@code sentences}, padded with 0 to the longest. */
  public Map<String, Tensor> encode(List<String> sentences) {
    Encoding[] enc = tokenizer.batchEncode(sentences);
    int seq = 0;
    for (Encoding e : enc) {
      seq = Math.max(seq, e.getIds().length);
    }
    int b = enc.length;
    long[] ids = new long[b * seq];
    long[] mask = new long[b * seq];
    long[] types = new long[b * seq];
    for (int i = 0; i < b; i++) {
      long[] id = enc[i].getIds();
      long[] m = enc[i].getAttentionMask();
      long[] t = enc[i].getTypeIds();
      System.arraycopy(id, 0, ids, i * seq, id.length);
      System.arraycopy(m, 0, mask, i * seq, m.length);
      System.arraycopy(t, 0, types, i * seq, t.length);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("input_ids", Tensor.wrap(ids, b, seq));
    out.put("attention_mask", Tensor.wrap(mask, b, seq));
    out.put("token_type_ids", Tensor.wrap(types, b, seq));
    return out;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
