package dev.octet.eval.engine;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import java.util.Map;

/** Octet's own runtime. */
public final class OctetEngine implements Engine {
  private final Session session;

  public OctetEngine(Model model, int threads) {
    this.session = Session.create(model, SessionOptions.defaults().withThreads(threads));
  }

  public Session session() {
    return session;
  }

  @Override
  public String name() {
    return "octet";
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    return session.run(inputs);
  }

  @Override
  public void close() {
    session.close();
  }
}
