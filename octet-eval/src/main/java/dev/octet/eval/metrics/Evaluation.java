package dev.octet.eval.metrics;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.eval.bench.Benchmark;
import dev.octet.eval.data.StsBenchmark;
import dev.octet.eval.data.TextEncoder;
import dev.octet.eval.engine.Engine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's quality on a labelled data set, with the latency of each run: top-1/top-5 accuracy for
 * classifiers, STS Spearman/Pearson for sentence embeddings, and against a reference model (the
 * FP32 original) the agreement of predictions or the cosine similarity of embeddings.
 *
 * @param metrics name to value, higher is better for all of them
 */
public record Evaluation(
    String task, int samples, Map<String, Double> metrics, double medianMs, double p90Ms) {

  /** Runs per second (one sample or batch per run). */
  public double throughput() {
    return 1000.0 / medianMs;
  }

  /**
   * A classifier: the first output holds the scores; a run per input.
   *
   * @param reference the model to agree with, or null
   */
  public static Evaluation classification(
      Engine engine, Engine reference, List<Map<String, Tensor>> inputs, int[] labels) {
    if (inputs.isEmpty()) {
      throw new OctetException("no data to evaluate on");
    }
    double[] ms = new double[inputs.size()];
    int top1 = 0;
    int top5 = 0;
    int agree = 0;
    for (int i = 0; i < inputs.size(); i++) {
      Map<String, Tensor> in = inputs.get(i);
      long t0 = System.nanoTime();
      float[] scores = engine.run(in).values().iterator().next().toFloatArray();
      ms[i] = (System.nanoTime() - t0) / 1e6;
      int[] best = topK(scores, 5);
      top1 += best[0] == labels[i] ? 1 : 0;
      for (int b : best) {
        top5 += b == labels[i] ? 1 : 0;
      }
      if (reference != null) {
        float[] ref = reference.run(in).values().iterator().next().toFloatArray();
        agree += topK(ref, 1)[0] == best[0] ? 1 : 0;
      }
    }
    Map<String, Double> m = new LinkedHashMap<>();
    int n = inputs.size();
    m.put("top1", top1 / (double) n);
    m.put("top5", top5 / (double) n);
    if (reference != null) {
      m.put("agreement", agree / (double) n);
    }
    return of("classification", n, m, ms);
  }

  /** Sentence embeddings on STS pairs, in batches of {@code batch} sentences. */
  public static Evaluation sts(
      Engine engine, Engine reference, TextEncoder tokenizer, StsBenchmark data, int batch) {
    List<String> sentences = data.sentences();
    List<Double> ms = new ArrayList<>();
    List<float[]> emb = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i += batch) {
      List<String> part = sentences.subList(i, Math.min(sentences.size(), i + batch));
      long t0 = System.nanoTime();
      float[][] e = StsEvaluation.embed(engine, tokenizer, part, part.size());
      ms.add((System.nanoTime() - t0) / 1e6);
      emb.addAll(List.of(e));
    }
    double[] predicted = new double[data.pairs().size()];
    double[] gold = new double[predicted.length];
    for (int i = 0; i < predicted.length; i++) {
      predicted[i] = Metrics.cosine(emb.get(2 * i), emb.get(2 * i + 1));
      gold[i] = data.pairs().get(i).score();
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("spearman", Metrics.spearman(predicted, gold));
    m.put("pearson", Metrics.pearson(predicted, gold));
    if (reference != null) {
      float[][] ref = StsEvaluation.embed(reference, tokenizer, sentences, batch);
      double sum = 0;
      double min = 1;
      for (int i = 0; i < ref.length; i++) {
        double c = Metrics.cosine(ref[i], emb.get(i));
        sum += c;
        min = Math.min(min, c);
      }
      m.put("cosine_mean", sum / ref.length);
      m.put("cosine_min", min);
    }
    return of(
        "sts", data.pairs().size(), m, ms.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static Evaluation of(String task, int n, Map<String, Double> m, double[] ms) {
    Benchmark.Result r = new Benchmark.Result("", ms, 1);
    return new Evaluation(task, n, m, r.median(), r.p90());
  }

  /** Indices of the k largest scores, largest first. */
  static int[] topK(float[] v, int k) {
    k = Math.min(k, v.length);
    int[] best = new int[k];
    java.util.Arrays.fill(best, -1);
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < k; j++) {
        if (best[j] < 0 || v[i] > v[best[j]]) {
          System.arraycopy(best, j, best, j + 1, k - j - 1);
          best[j] = i;
          break;
        }
      }
    }
    return best;
  }
}
