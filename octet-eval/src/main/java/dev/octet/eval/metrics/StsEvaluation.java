package dev.octet.eval.metrics;

import dev.octet.core.Tensor;
import dev.octet.eval.data.MiniLm;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores a sentence embedder on an STS file the way sentence-transformers does: embed both
 * sentences (mean pooling with the attention mask, L2 normalisation), cosine similarity per pair,
 * Spearman and Pearson correlation with the gold scores.
 */
public record StsEvaluation(double spearman, double pearson, float[][] embeddings) {

  public static StsEvaluation run(
      Engine engine, TextEncoder tokenizer, StsBenchmark data, int batch) {
    List<String> sentences = data.sentences();
    float[][] emb = embed(engine, tokenizer, sentences, batch);
    double[] predicted = new double[data.pairs().size()];
    double[] gold = new double[predicted.length];
    for (int i = 0; i < predicted.length; i++) {
      predicted[i] = Metrics.cosine(emb[2 * i], emb[2 * i + 1]);
      gold[i] = data.pairs().get(i).score();
    }
    return new StsEvaluation(
        Metrics.spearman(predicted, gold), Metrics.pearson(predicted, gold), emb);
  }

  /** Sentence embeddings [n][dim], in batches padded to their longest sentence. */
  public static float[][] embed(
      Engine engine, TextEncoder tokenizer, List<String> sentences, int batch) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i += batch) {
      Map<String, Tensor> in =
          tokenizer.encode(sentences.subList(i, Math.min(sentences.size(), i + batch)));
      Tensor hidden = engine.run(in).get("last_hidden_state");
      for (float[] e : MiniLm.pool(hidden, in.get("attention_mask"))) {
        out.add(e);
      }
    }
    return out.toArray(float[][]::new);
  }
}
