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
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

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
    return run(batches, progress, Histogram::new, (h, t) -> h.observe(t.floats()));
  }

  /**
   * As {@link #run(Iterable, IntConsumer)}, with a statistic of the caller's choice: {@code create}
   * makes one per observed tensor, {@code observe} folds each value of it in.
   */
  public <S> Map<String, S> run(
      Iterable<Map<String, Tensor>> batches,
      IntConsumer progress,
      Supplier<S> create,
      BiConsumer<S, Tensor> observe) {
    Map<String, S> stats = new LinkedHashMap<>();
    BiConsumer<String, Tensor> see =
        (name, t) -> {
          if (t.dtype() == DType.FLOAT && (tensors == null || tensors.contains(name))) {
            observe.accept(stats.computeIfAbsent(name, k -> create.get()), t);
          }
        };
    int done = 0;
    try (Session s =
        Session.create(model, SessionOptions.defaults().withThreads(threads).withFusion(false))) {
      for (Map<String, Tensor> batch : batches) {
        for (Map.Entry<String, Tensor> in : batch.entrySet()) {
          see.accept(in.getKey(), in.getValue());
        }
        s.run(batch, (name, node, value) -> see.accept(name, value));
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
}
