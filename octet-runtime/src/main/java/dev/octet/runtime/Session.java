package dev.octet.runtime;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.graph.Node;
import dev.octet.core.graph.ValueInfo;
import dev.octet.core.passes.Float16ToFloat32;
import dev.octet.runtime.kernel.BufferPool;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.WorkerPool;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A planned model, ready to run. {@link #create} looks up a kernel for every node (reporting all
 * unsupported ops together), folds constant subgraphs, and computes value lifetimes so that
 * intermediate buffers are reused. {@link #run} may be called from several threads at once.
 *
 * <p>float16 models compute in float32: weights are widened once and Cast nodes convert at the
 * model's boundary, as CPU runtimes without fp16 kernels do.
 */
public final class Session implements AutoCloseable {
  private final Model model;
  private final Plan plan;
  private final SessionOptions options;
  private final WorkerPool pool;

  /** Buffer pools between runs: a run takes one (or makes one) and puts it back when done. */
  private final ConcurrentLinkedQueue<BufferPool> buffers = new ConcurrentLinkedQueue<>();

  private Session(Model model, Plan plan, SessionOptions options) {
    this.model = model;
    this.plan = plan;
    this.options = options;
    this.pool = options.threads() > 1 ? new WorkerPool(options.threads()) : null;
  }

  public static Session create(Model model) {
    return create(model, SessionOptions.defaults());
  }

  public static Session create(Model model, SessionOptions options) {
    Model planned =
        Float16ToFloat32.usesFloat16(model) ? Float16ToFloat32.apply(model, true) : model;
    return new Session(model, Planner.plan(planned, options), options);
  }

  /** The model as given to {@link #create}. */
  public Model model() {
    return model;
  }

  public Plan plan() {
    return plan;
  }

  public SessionOptions options() {
    return options;
  }

  /** The inputs a caller feeds (initializers excluded). */
  public List<ValueInfo> inputs() {
    return model.graph().realInputs();
  }

  public List<ValueInfo> outputs() {
    return model.graph().outputs();
  }

  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    return run(inputs, null);
  }

  /**
   * Runs the model. Inputs are checked against the declared names, element types, ranks and fixed
   * dimensions first; a failing node is named in the error.
   *
   * @return the graph outputs, in declaration order
   */
  public Map<String, Tensor> run(Map<String, Tensor> inputs, ValueListener listener) {
    InputCheck.check(plan.graph(), inputs);
    Tensor[] values = plan.constants().clone();
    // the caller's arrays are never recycled (nor are the constants', see below)
    Set<Object> inputArrays = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
      values[plan.slot(e.getKey())] = e.getValue();
      inputArrays.add(e.getValue().data());
    }
    IdentityHashMap<Object, Integer> refs = new IdentityHashMap<>();
    BufferPool runBuffers = buffers.poll();
    ExecContext ctx =
        new ExecContext(
            pool,
            options.threads(),
            runBuffers != null ? runBuffers : (runBuffers = new BufferPool()));
    for (Plan.Step step : plan.steps()) {
      Tensor[] in = new Tensor[step.inputs().length];
      for (int i = 0; i < in.length; i++) {
        in[i] = step.inputs()[i] < 0 ? null : values[step.inputs()[i]];
      }
      Tensor[] out = Plan.execute(step, ctx, in);
      Node node = step.node();
      for (int j = 0; j < step.outputs().length; j++) {
        int slot = step.outputs()[j];
        if (slot < 0) {
          continue;
        }
        Tensor t = j < out.length ? out[j] : null;
        if (t == null) {
          throw new OctetException(
              node.describe() + ": produced no value for output '" + node.output(j) + "'");
        }
        values[slot] = t;
        refs.merge(t.data(), 1, Integer::sum);
        if (listener != null) {
          listener.onValue(node.output(j), node, t);
        }
      }
      for (int slot : step.freeAfter()) {
        Tensor t = values[slot];
        values[slot] = null;
        if (t != null && refs.merge(t.data(), -1, Integer::sum) <= 0) {
          refs.remove(t.data());
          if (t.data() instanceof float[] f
              && !inputArrays.contains(f)
              && !plan.protectedArrays().contains(f)) {
            ctx.recycle(f);
          }
        }
      }
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (ValueInfo o : plan.graph().outputs()) {
      result.put(o.name(), values[plan.slot(o.name())]);
    }
    runBuffers.endRun();
    buffers.add(runBuffers);
    return result;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
