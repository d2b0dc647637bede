package dev.octet.eval.engine;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime through its Java API (CPU execution provider, all graph optimisations), with Octet
 * tensors converted at the boundary.
 */
public final class OrtEngine implements Engine {
  /**
   * Whether ONNX Runtime's u8 x s8 integer kernels saturate on this CPU: x86 without VNNI (no
   * avx512_vnni or avx_vnni in /proc/cpuinfo), where they add pairs of products in 16-bit lanes
   * (AVX2's vpmaddubsw). Models for such CPUs want 7-bit weights ({@code Recipe.withReduceRange}).
   * False where the flags cannot be read.
   */
  public static boolean u8s8Saturates() {
    String arch = System.getProperty("os.arch", "");
    if (!arch.equals("amd64") && !arch.equals("x86_64")) {
      return false;
    }
    try {
      String info = java.nio.file.Files.readString(Path.of("/proc/cpuinfo"));
      return !info.contains("avx512_vnni") && !info.contains("avx_vnni");
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  public OrtEngine(Model model, int threads) {
    this(OnnxModels.toBytes(model), threads, null);
  }

  /**
   * @param optimizedModelPath where ONNX Runtime writes the graph it actually runs (to check which
   *     fusions it applied), or null
   */
  public OrtEngine(byte[] modelBytes, int threads, String optimizedModelPath) {
    this(modelBytes, threads, optimizedModelPath, null);
  }

  /**
   * An engine that records ONNX Runtime's own per-node profile of every run into a file that starts
   * with {@code tracePrefix}; {@link #endProfiling()} closes it and says where it is.
   */
  public static OrtEngine profiling(Model model, int threads, Path tracePrefix) {
    return new OrtEngine(OnnxModels.toBytes(model), threads, null, tracePrefix);
  }

  private OrtEngine(byte[] modelBytes, int threads, String optimizedModelPath, Path tracePrefix) {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (optimizedModelPath != null) {
        o.setOptimizedModelFilePath(optimizedModelPath);
      }
      if (tracePrefix != null) {
        o.enableProfiling(tracePrefix.toString());
      }
      this.session = env.createSession(modelBytes, o);
    } catch (OrtException e) {
      throw new OctetException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return "ort";
  }

  /** Stops profiling (see {@link #profiling}) and returns the trace file ONNX Runtime wrote. */
  public Path endProfiling() {
    try {
      return Path.of(session.endProfiling());
    } catch (OrtException e) {
      throw new OctetException("ONNX Runtime cannot end profiling: " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        feed.put(e.getKey(), toOrt(e.getValue()));
      }
      try (OrtSession.Result result = session.run(feed)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new OctetException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOrt(Tensor t) throws OrtException {
    long[] shape = new long[t.rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.dim(i);
    }
    return switch (t.dtype()) {
      case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
      case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.doubles()), shape);
      case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape);
      case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), shape);
      case INT8 ->
          OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape, OnnxJavaType.INT8);
      case UINT8 ->
          OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape, OnnxJavaType.UINT8);
      case BOOL ->
          OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape, OnnxJavaType.BOOL);
      case FLOAT16 ->
          OnnxTensor.createTensor(env, ShortBuffer.wrap(t.shorts()), shape, OnnxJavaType.FLOAT16);
      default ->
          throw new OctetException(
              "cannot pass " + t.dtype().onnxName() + " tensors to ONNX Runtime");
    };
  }

  private static Tensor fromOrt(OnnxTensor t) {
    TensorInfo info = t.getInfo();
    long[] s = info.getShape();
    int[] shape = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = (int) s[i];
    }
    int n = Tensor.elementCount(shape);
    return switch (info.type) {
      case FLOAT -> {
        float[] f = new float[n];
        t.getFloatBuffer().get(f);
        yield Tensor.wrap(f, shape);
      }
      case DOUBLE -> {
        double[] d = new double[n];
        t.getDoubleBuffer().get(d);
        yield Tensor.wrap(DType.DOUBLE, shape, d);
      }
      case INT64 -> {
        long[] l = new long[n];
        t.getLongBuffer().get(l);
        yield Tensor.wrap(l, shape);
      }
      case INT32 -> {
        int[] v = new int[n];
        t.getIntBuffer().get(v);
        yield Tensor.wrap(v, shape);
      }
      case INT8, UINT8, BOOL -> {
        byte[] b = new byte[n];
        t.getByteBuffer().order(ByteOrder.nativeOrder()).get(b);
        DType dt =
            info.type == OnnxJavaType.INT8
                ? DType.INT8
                : info.type == OnnxJavaType.UINT8 ? DType.UINT8 : DType.BOOL;
        yield Tensor.wrap(dt, shape, b);
      }
      case FLOAT16 -> {
        short[] h = new short[n];
        t.getShortBuffer().get(h);
        yield Tensor.wrap(DType.FLOAT16, shape, h);
      }
      default ->
          throw new OctetException("cannot read " + info.type + " tensors from ONNX Runtime");
    };
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new OctetException("closing ONNX Runtime failed: " + e.getMessage(), e);
    }
  }
}
