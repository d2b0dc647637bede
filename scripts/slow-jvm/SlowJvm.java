import dev.octet.core.Tensor;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.runtime.Session;
import dev.octet.runtime.SessionOptions;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.Sgemm;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * One JVM of scripts/slow-jvm.sh: a model's median time after 250 runs, then the GEMM alone on fresh
 * random data (256 x 384 x 256, one thread), which tells a JVM whose compiled GEMM kernel is slow
 * (about 3 GFLOP/s instead of 50-80, BENCHMARKS.md session 31) from a slow host or slow data.
 * Usage: java -cp octet.jar SlowJvm.java MODEL INPUT_NAME DIMS THREADS   (DIMS like 1,3,224,224)
 */
public class SlowJvm {
  public static void main(String[] a) throws Exception {
    int[] dims = Arrays.stream(a[2].split(",")).mapToInt(Integer::parseInt).toArray();
    Session s =
        Session.create(
            OnnxModels.load(Path.of(a[0])),
            SessionOptions.defaults().withThreads(Integer.parseInt(a[3])));
    float[] x = new float[Arrays.stream(dims).reduce(1, (p, q) -> p * q)];
    Random r = new Random(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() * 255;
    }
    Map<String, Tensor> in = Map.of(a[1], Tensor.wrap(x, dims));
    double median = 0;
    for (int block = 0; block < 5; block++) {
      median = median(50, () -> s.run(in));
    }
    System.out.printf("model median %.2f ms, GEMM alone %.1f GFLOP/s%n", median, gemm());
  }

  static double gemm() {
    int m = 256, k = 256, n = 384;
    Random r = new Random(7);
    float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], bias = new float[m];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextGaussian();
    }
    int[] rows = new int[k];
    for (int i = 0; i < k; i++) {
      rows[i] = i * n;
    }
    PackedA pa = PackedA.pack(a, 0, k, m, k);
    ExecContext ctx = new ExecContext(null, 1);
    double ms =
        median(15, () -> Sgemm.multiply(pa, b, 0, rows, n, bias, 0, true, c, 0, n, ctx));
    return 2.0 * m * n * k / ms / 1e6;
  }

  static double median(int count, Runnable body) {
    double[] t = new double[count];
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      body.run();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(t);
    return t[count / 2];
  }
}
