package dev.octet.eval.metrics;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.quant.qdq.QdqRewriter;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layer loses the accuracy: runs the FP32 and the quantized model on the same inputs and
 * matches every float tensor of the FP32 model with what the quantized model computes for it (its
 * dequantized form {@code T_dequantized} where one exists, else the tensor of the same name). Per
 * tensor it accumulates signal and error energy over all batches into an SQNR. Errors accumulate
 * downstream, so every tensor after a bad layer has a poor SQNR too; the ranking is therefore by
 * the SQNR a tensor loses against the worst SQNR above it (the error introduced where it is
 * computed; SQNRs are capped at ideal 8-bit quantization, 48.16 dB), worst first. Only one batch's
 * activations are held at a time.
 */
public final class LayerComparison {
  /** SQNR of ideal 8-bit quantization of a full-scale uniform signal: 6.02 dB per bit. */
  static final double IDEAL_8BIT_DB = 48.16;

  private LayerComparison() {}

  /**
   * One tensor's agreement: SQNR in dB (higher is better), the dB lost against its inputs (the
   * error introduced here), and the relative error ||q - f|| / ||f||.
   */
  public record Layer(
      String tensor, String producer, double sqnrDb, double introducedDb, double relativeError) {}

  public static List<Layer> run(
      Model fp32, Model quantized, Iterable<Map<String, Tensor>> batches, int threads) {
    Map<String, double[]> energy = new LinkedHashMap<>();
    Map<String, String> producers = new HashMap<>();
    int n = 0;
    SessionOptions opts = SessionOptions.defaults().withThreads(threads).withFusion(false);
    try (Session f = Session.create(fp32, opts);
        Session q = Session.create(quantized, opts)) {
      for (Map<String, Tensor> batch : batches) {
        Map<String, float[]> reference = new HashMap<>();
        batch.forEach(
            (name, t) -> {
              if (t.dtype() == DType.FLOAT) {
                reference.put(name, t.floats());
              }
            });
        f.run(
            batch,
            (name, node, t) -> {
              if (t.dtype() == DType.FLOAT) {
                reference.put(name, t.floats().clone());
                producers.putIfAbsent(name, node.name() + " (" + node.qualifiedOpType() + ")");
              }
            });
        Map<String, float[]> seen = new HashMap<>();
        q.run(
            batch,
            (name, node, t) -> {
              if (t.dtype() != DType.FLOAT) {
                return;
              }
              String base =
                  name.endsWith(QdqRewriter.DEQUANTIZED)
                      ? name.substring(0, name.length() - QdqRewriter.DEQUANTIZED.length())
                      : name;
              float[] ref = reference.get(base);
              // the dequantized view is what the next op reads; it wins over the raw tensor
              if (ref != null
                  && ref.length == t.size()
                  && (!name.equals(base) || !seen.containsKey(base))) {
                seen.put(base, t.floats().clone());
              }
            });
        for (Map.Entry<String, float[]> e : seen.entrySet()) {
          float[] ref = reference.get(e.getKey());
          float[] got = e.getValue();
          double[] acc = energy.computeIfAbsent(e.getKey(), k -> new double[2]);
          for (int i = 0; i < ref.length; i++) {
            double d = got[i] - ref[i];
            acc[0] += (double) ref[i] * ref[i];
            acc[1] += d * d;
          }
        }
        n++;
      }
    }
    if (n == 0) {
      throw new OctetException("no data to compare the models on");
    }
    Map<String, Double> sqnr = new HashMap<>();
    for (Map.Entry<String, double[]> e : energy.entrySet()) {
      double v =
          e.getValue()[1] == 0
              ? Double.POSITIVE_INFINITY
              : 10 * Math.log10(e.getValue()[0] / e.getValue()[1]);
      sqnr.put(e.getKey(), Math.min(v, IDEAL_8BIT_DB));
    }
    // what a tensor's inputs bring: the worst SQNR on any path above it (exact inputs count as
    // ideal 8-bit quantization). Taking the worst path, not the direct inputs, keeps a tensor that
    // is accurate only because of its large exact part (an attention mask added to the scores)
    // from making the next op look guilty.
    Map<String, Double> upstream = new HashMap<>();
    for (dev.octet.core.graph.Node node : fp32.graph().nodes()) {
      double in = IDEAL_8BIT_DB;
      for (String i : node.inputs()) {
        if (sqnr.containsKey(i)) {
          in = Math.min(in, Math.min(sqnr.get(i), upstream.getOrDefault(i, IDEAL_8BIT_DB)));
        }
      }
      for (String o : node.outputs()) {
        upstream.put(o, in);
      }
    }
    List<Layer> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : energy.entrySet()) {
      String t = e.getKey();
      double own = sqnr.get(t);
      double in = upstream.getOrDefault(t, IDEAL_8BIT_DB);
      double[] acc = e.getValue();
      double rel = acc[0] == 0 ? Math.sqrt(acc[1]) : Math.sqrt(acc[1] / acc[0]);
      out.add(
          new Layer(
              t,
              producers.getOrDefault(t, "graph input"),
              acc[1] == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(acc[0] / acc[1]),
              Math.max(0, in - own),
              rel));
    }
    out.sort(
        Comparator.comparingDouble(Layer::introducedDb)
            .reversed()
            .thenComparingDouble(Layer::sqnrDb));
    return out;
  }
}
