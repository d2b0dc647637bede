package dev.octet.quant.calib;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Streams calibration batches through the FP32 model and collects a {@link Histogram} per float
 * tensor (graph inputs and every node output, or just the named ones). The session runs without
 * fusions so that every intermediate value is seen; each tensor is folded into its histogram during
 * its node's callback and then dropped, so memory does not grow with the number of batches.
 */
public final class Calibrator {
  private final Model model;
  private final Set<String> tensors;
  private final int threads;

  /**
   * @param tensors the tensors to observe, or null for every float tensor
   */
  public Calibrator(Model model, Set<String> tensors, int threads) {
    this.model = model;
    this.tensors = tensors;
    this.threads = threads;
  }

  /**
   * Observes every batch; {@code progress} (may be null) is told the number of batches done.
   *
   * @return a histogram per observed tensor name, in first-seen order
   */
  public Map<String, Histogram> run(Iterable<Map<String, Tensor>> batches, IntConsumer progress) {
    Map<String, Histogram> stats = new LinkedHashMap<>();
    int done = 0;
    try (Session s =
        Session.create(model, SessionOptions.defaults().withThreads(threads).withFusion(false))) {
      for (Map<String, Tensor> batch : batches) {
        for (Map.Entry<String, Tensor> in : batch.entrySet()) {
          observe(stats, in.getKey(), in.getValue());
        }
        s.run(batch, (name, node, value) -> observe(stats, name, value));
        done++;
        if (progress != null) {
          progress.accept(done);
        }
      }
    }
    if (done == 0) {
      throw new OctetException("the calibration data set is empty; give at least one sample");
    }
    return stats;
  }

  private void observe(Map<String, Histogram> stats, String name, Tensor t) {
    if (t.dtype() != DType.FLOAT || (tensors != null && !tensors.contains(name))) {
      return;
    }
    stats.computeIfAbsent(name, k -> new Histogram()).observe(t.floats());
  }
}
