package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.PackedA;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Prefetch;
import dev.octet.runtime.simd.Sgemm;
import dev.octet.runtime.simd.Simd;
import dev.octet.runtime.simd.VectorMath;
import java.util.Arrays;

/**
 * Conv for any number of spatial dimensions, groups, pads, strides, dilations and auto_pad: per
 * image and group, Y[M/g][P] = W[M/g][C/g * prod(k)] x col[C/g * prod(k)][P] on the packed SGEMM,
 * where col is the im2col of the input (the input itself for a pointwise kernel); 3x3 stride-1
 * convolutions with enough channels and output run as Winograd's F(4x4, 3x3) instead ({@link
 * Winograd4}; F(2x2, 3x3), {@link Winograd}, with 32 vector registers), small ones directly ({@link
 * DirectConv}), and a first layer of few input channels with a fused max pooling with its output
 * channels in the vectors ({@link StemConv}). As FusedConv (attribute activation=Relu) it applies
 * Relu in the same pass as the bias; with attribute pool=MaxPool (and that pooling's attributes as
 * pool.kernel_shape, pool.strides, ...; pool.node names it) its output is the max pooling of the
 * convolution's, pooled a few rows at a time as the GEMM leaves them, so the convolution's output
 * is never written out whole.
 */
public final class ConvKernel implements Kernel {
  private final OpContext op;

  /**
   * W packed for the GEMM, when W is a constant: packed at construction, or on first use when
   * {@link #winograd} is there too (an input too small for it falls back to the GEMM).
   */
  private volatile PackedA[] packedWeights;

  @Override
  public long packedBytes() {
    long s = 0;
    for (PackedA p : packedWeights == null ? new PackedA[0] : packedWeights) {
      s += p == null ? 0 : 4L * p.data().length;
    }
    for (PackedA p : winograd == null ? new PackedA[0] : winograd.u()) {
      s += 4L * p.data().length;
    }
    return s + (stem == null ? 0 : 4L * stem.w().length);
  }

  private final boolean relu;

  /**
   * The weights for {@link Winograd4}'s F(4x4, 3x3) or {@link Winograd}'s F(2x2, 3x3) ({@link
   * #WINOGRAD4}), when the kernel shape and channel counts suit it (whether it runs also depends on
   * the input's size), or null.
   */
  private final Winograd.Weights winograd;

  /**
   * The weights for {@link StemConv}, when W is a constant that suits it and a max pooling is
   * fused, or null (it runs when the output is wide enough for its tiles).
   */
  private final StemConv.Weights stem;

  /** How the convolution is computed. */
  private enum Path {
    DIRECT,
    STEM,
    WINOGRAD,
    GEMM
  }

  /** The fused max pooling's attributes (pool.* without the prefix), or null. */
  private final Attributes pool;

  /** The group attribute. */
  private final int groups;

  /**
   * The geometries of the last input and weight shapes a run saw: runs on one shape (a model's
   * usual case) compute them once (mnist-8 spent 5% of its run in attribute lookups for them).
   */
  private record Geometry(int[] x, int[] w, ConvGeometry conv, ConvGeometry pooling) {}

  private volatile Geometry last;

  public ConvKernel(OpContext op) {
    this.op = op;
    String activation = op.attrs().getString("activation", "");
    if (!activation.isEmpty() && !activation.equals("Relu")) {
      throw op.error("fused activation '" + activation + "' is not supported");
    }
    this.relu = activation.equals("Relu");
    String pooling = op.attrs().getString("pool", "");
    if (!pooling.isEmpty() && !pooling.equals("MaxPool")) {
      throw op.error("fused pooling '" + pooling + "' is not supported (only MaxPool)");
    }
    this.pool = pooling.isEmpty() ? null : op.attrs().withPrefix("pool.");
    this.groups = (int) op.attrs().getInt("group", 1);
    Tensor w = op.constant(1);
    boolean constant = w != null && w.dtype() == DType.FLOAT && w.rank() >= 3;
    this.winograd =
        constant && Winograd.suits(op.attrs(), w)
            ? (WINOGRAD4 ? Winograd4.transform(w) : Winograd.transform(w))
            : null;
    // the stem form is only used under a fused pooling: without one its weights would be packed
    // for nothing, and the GEMM's packed on the first run
    this.stem = constant && pool != null && StemConv.suits(op.attrs(), w) ? StemConv.pack(w) : null;
    this.packedWeights =
        constant && winograd == null && stem == null ? packWeights(w, groups) : null;
  }

  /**
   * F(4x4, 3x3) ({@link Winograd4}) with 16 vector registers (AVX2), F(2x2, 3x3) with 32: on a Zen
   * 1 EPYC the fire modules of SqueezeNet took 10-17% less time with the former (its 36 GEMMs do
   * 1.78 times fewer multiply-adds, on 4 times fewer tiles), and the latter was measured on
   * AVX-512.
   */
  private static final boolean WINOGRAD4 = Sgemm.NR < 3 * Simd.F.length();

  /** W packed for the GEMM: the constant's, packed once, or this run's W. */
  private PackedA[] gemmWeights(Tensor w) {
    PackedA[] p = packedWeights;
    if (p != null) {
      return p;
    }
    p = packWeights(w, groups);
    if (winograd != null || stem != null) {
      packedWeights = p; // W is the constant: racing runs pack the same values
    }
    return p;
  }

  /**
   * The fused pooling's geometry over the convolution's output g (2-D only), or null when there is
   * no pooling.
   */
  private ConvGeometry poolGeometry(ConvGeometry g) {
    if (pool == null) {
      return null;
    }
    String name = pool.getString("node", "the fused MaxPool");
    try {
      if (g.out().length != 2) {
        throw new OctetException("a fused MaxPool needs a 2-D convolution");
      }
      ConvGeometry p = PoolKernel.geometry(pool, g.out());
      for (int i = 0; i < 2; i++) {
        if (p.padBegin()[i] >= p.kernel()[i] || p.padEnd()[i] >= p.kernel()[i]) {
          throw new OctetException("pads must be smaller than the kernel");
        }
      }
      return p;
    } catch (OctetException e) {
      throw op.error("pooling '" + name + "': " + e.getMessage());
    }
  }

  /** W as the packed left operand, one matrix [M/g][C/g * prod(kernel)] per group. */
  private static PackedA[] packWeights(Tensor w, int groups) {
    int m = w.dim(0);
    if (groups <= 0 || m % groups != 0) {
      throw new OctetException(
          "W has " + m + " output channels, not divisible into " + groups + " groups");
    }
    int mg = m / groups;
    int kDim = w.size() / m;
    PackedA[] out = new PackedA[groups];
    for (int g = 0; g < groups; g++) {
      out[g] = PackedA.pack(w.floats(), g * mg * kDim, kDim, mg, kDim);
    }
    return out;
  }

  /** The implicit-GEMM layout of the last run. */
  private final ImplicitConv.LastLayout layouts = new ImplicitConv.LastLayout();

  /**
   * The 2-D GEMM path: input read in place through {@link ImplicitConv}, no im2col copy; bias and
   * Relu are applied as the tiles are stored.
   */
  private void implicit(
      float[] xv,
      int batch,
      int c,
      int h,
      int w,
      ConvGeometry g,
      int groups,
      int cg,
      int mg,
      PackedA[] weights,
      float[] bias,
      ConvGeometry pooling,
      float[] out,
      int outOff,
      int outBatchStride,
      ExecContext ctx) {
    ImplicitConv.Layout l = layouts.of(g, cg, h, w, pooling != null);
    float[] grid =
        ImplicitConv.compacts(l) || pooling != null
            ? ctx.floats(ImplicitConv.gridSize(l, pooling, mg, ctx.threads()))
            : null;
    ImplicitConv.run(
        xv,
        batch,
        c,
        h,
        w,
        l,
        groups,
        mg,
        out,
        outOff,
        outBatchStride,
        grid,
        pooling,
        (gi, src, bOff, n, dst, dOff, ld, inner) ->
            Sgemm.multiply(
                weights[gi], src, bOff, l.rows(), n, bias, gi * mg, relu, dst, dOff, ld, inner),
        ctx);
    if (grid != null) {
      ctx.recycle(grid);
    }
  }

  /** The output shape for input x and weight w. */
  public int[] outputShape(Tensor x, Tensor w) {
    checkTypes(x, w);
    Geometry g = geometry(x, w);
    return (g.pooling() == null ? g.conv() : g.pooling()).outputShape(x.dim(0), w.dim(0));
  }

  /** The convolution's and the fused pooling's geometry for these shapes (the last, or new). */
  private Geometry geometry(Tensor x, Tensor w) {
    int[] xs = x.shape();
    int[] ws = w.shape();
    Geometry g = last;
    if (g != null && Arrays.equals(g.x(), xs) && Arrays.equals(g.w(), ws)) {
      return g;
    }
    ConvGeometry conv = ConvGeometry.forConv(op.attrs(), xs, ws, groups);
    g = new Geometry(xs, ws, conv, poolGeometry(conv));
    last = g;
    return g;
  }

  private static void checkTypes(Tensor x, Tensor w) {
    if (x.dtype() != DType.FLOAT || w.dtype() != DType.FLOAT) {
      throw new OctetException("Conv supports float32 only, got " + x.dtype().onnxName());
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    int[] shape = outputShape(in[0], in[1]);
    float[] out = ctx.floats(Math.multiplyExact(shape[0] * shape[1], size(shape)));
    // a buffer from the pool was last written a run ago and, when another model (or ONNX
    // Runtime, in a benchmark) ran in between, is in no cache; the tiles write it as short rows,
    // one per output channel, too short for the prefetcher, so it is read through first
    // (SqueezeNet after a 64 MB write, five runs of 600: 4.23 -> 4.13 ms on average)
    Prefetch.floats(out, 0, out.length);
    runInto(ctx, in, out, 0, shape[1]);
    return new Tensor[] {Tensor.wrap(out, shape)};
  }

  private static int size(int[] shape) {
    int s = 1;
    for (int i = 2; i < shape.length; i++) {
      s = Math.multiplyExact(s, shape[i]);
    }
    return s;
  }

  /**
   * Computes the convolution (pooled, when a pooling is fused) into channels [first, first + M) of
   * {@code out}, a [batch][channels][spatial...] tensor (a concatenation of several convolutions'
   * outputs along the channels).
   */
  public void runInto(ExecContext ctx, Tensor[] in, float[] out, int first, int channels) {
    Tensor x = in[0];
    Tensor w = in[1];
    checkTypes(x, w);
    Geometry geometry = geometry(x, w);
    ConvGeometry g = geometry.conv();
    ConvGeometry pooling = geometry.pooling();
    Path path = path(g, w);
    // a pooling is only fused over two spatial axes (poolGeometry): the GEMM and stem paths pool
    // as they go
    if (pooling == null || poolsAsItGoes(path)) {
      convolve(ctx, in, g, path, pooling, out, first, channels);
      return;
    }
    // no fused path (the direct and Winograd convolutions): the whole output, then the pooling
    int batch = x.dim(0);
    int m = w.dim(0);
    float[] full = ctx.floats(batch * m * g.outSize());
    convolve(ctx, in, g, path, null, full, 0, m);
    poolPlanes(ctx, full, batch, m, g, pooling, out, first, channels);
    ctx.recycle(full);
  }

  /**
   * Whether {@link #runInto} pools as the convolution goes (a fused pooling on the GEMM or stem
   * path), so that the convolution's whole output is never written; false without a fused pooling,
   * and where the path writes the whole output and pools it afterwards (Winograd, direct).
   */
  boolean poolsAsItGoes(Tensor x, Tensor w) {
    checkTypes(x, w);
    Geometry geometry = geometry(x, w);
    Path path = path(geometry.conv(), w);
    return geometry.pooling() != null && poolsAsItGoes(path);
  }

  /** Whether this path pools a fused pooling as it goes (else: the whole output, then the pool). */
  private static boolean poolsAsItGoes(Path path) {
    return path == Path.GEMM || path == Path.STEM;
  }

  /** The convolution's geometry for these inputs. */
  ConvGeometry convolution(Tensor x, Tensor w) {
    checkTypes(x, w);
    return geometry(x, w).conv();
  }

  /** The fused pooling's geometry for these inputs, or null without one. */
  ConvGeometry pooling(Tensor x, Tensor w) {
    checkTypes(x, w);
    return geometry(x, w).pooling();
  }

  /**
   * The convolution alone, its fused pooling left out, into channels [first, first + M) of {@code
   * out}, a [batch][channels][convolution output] tensor.
   */
  void convolveInto(ExecContext ctx, Tensor[] in, float[] out, int first, int channels) {
    ConvGeometry g = convolution(in[0], in[1]);
    Path path = path(g, in[1]);
    // the stem form exists only to pool as it goes
    convolve(ctx, in, g, path == Path.STEM ? Path.GEMM : path, null, out, first, channels);
  }

  /**
   * Whether this convolution takes the stem path for these inputs ({@link StemConv}: a fused max
   * pooling, constant weights that suit it, an output wide enough for its tiles), so that {@link
   * #runStem} can apply a pointwise convolution to each pooled row.
   */
  boolean stemPath(Tensor x, Tensor w) {
    checkTypes(x, w);
    return path(geometry(x, w).conv(), w) == Path.STEM;
  }

  /**
   * The stem path ({@link #stemPath} must hold) with {@code then} applied to each pooled row, into
   * out as [batch][then.n()][pooled].
   */
  void runStem(ExecContext ctx, Tensor[] in, StemConv.Pointwise then, float[] out) {
    Geometry geometry = geometry(in[0], in[1]);
    int stride = then.n() * geometry.pooling().outSize();
    stem(ctx, in, geometry.conv(), geometry.pooling(), then, out, 0, stride);
  }

  /** Each image through {@link StemConv#run}, image n's output at base + n * stride. */
  private void stem(
      ExecContext ctx,
      Tensor[] in,
      ConvGeometry g,
      ConvGeometry pooling,
      StemConv.Pointwise then,
      float[] out,
      int base,
      int stride) {
    Tensor x = in[0];
    Tensor b = in.length > 2 ? in[2] : null;
    int c = x.dim(1);
    int inSize = x.dim(2) * x.dim(3);
    for (int n = 0; n < x.dim(0); n++) {
      StemConv.run(
          x.floats(),
          n * c * inSize,
          c,
          x.dim(2),
          x.dim(3),
          g,
          stem,
          b == null ? null : b.floats(),
          relu,
          pooling,
          then,
          out,
          base + n * stride,
          ctx);
    }
  }

  private Path path(ConvGeometry g, Tensor w) {
    return stem != null && StemConv.fits(g)
        ? Path.STEM
        : DirectConv.applies(g, groups, w.dim(1), w.dim(0), g.kernel())
            ? Path.DIRECT
            : winograd != null && Winograd.enoughTiles(g, winograd) ? Path.WINOGRAD : Path.GEMM;
  }

  /**
   * Max-pools the m channel planes of each image in {@code full} ([batch][m][conv output], the
   * convolution's geometry g) into channels [first, first + m) of {@code out}
   * ([batch][channels][pooled]).
   */
  static void poolPlanes(
      ExecContext ctx,
      float[] full,
      int batch,
      int m,
      ConvGeometry g,
      ConvGeometry pooling,
      float[] out,
      int first,
      int channels) {
    int size = g.outSize();
    int pooled = pooling.outSize();
    // in parallel over (image, channel) planes (SqueezeNet at two threads, fire3 and fire5 pooled
    // after their Winograd expands: 1-2% faster, interleaved in one JVM)
    ctx.parallelFor(
        batch * m,
        Math.max(1, 4096 / Math.max(1, size)),
        (p0, p1) -> {
          for (int p = p0; p < p1; ) {
            int n = p / m;
            int end = Math.min(p1, (n + 1) * m);
            Pool2d.Source s =
                new Pool2d.Source(full, n * m * size, size, g.out()[1], 0, g.out()[0], g.out()[1]);
            Pool2d.run(
                s,
                pooling,
                true,
                false,
                p - n * m,
                end - n * m,
                0,
                pooling.out()[0],
                out,
                (n * channels + first) * pooled,
                pooled);
            p = end;
          }
        });
  }

  private void convolve(
      ExecContext ctx,
      Tensor[] in,
      ConvGeometry g,
      Path path,
      ConvGeometry pooling,
      float[] out,
      int first,
      int channels) {
    Tensor x = in[0];
    Tensor w = in[1];
    Tensor b = in.length > 2 ? in[2] : null;
    int batch = x.dim(0);
    int c = x.dim(1);
    int m = w.dim(0);
    int cg = w.dim(1);
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int outSize = pooling == null ? g.outSize() : pooling.outSize();
    int mg = m / groups;
    float[] xv = x.floats();
    int stride = channels * outSize;
    int base = first * outSize;
    if (path == Path.STEM) {
      stem(ctx, in, g, pooling, null, out, base, stride);
      return;
    }
    if (path == Path.WINOGRAD) {
      for (int n = 0; n < batch; n++) {
        Winograd.run(
            xv,
            n * c * inSize,
            spatial[0],
            spatial[1],
            g,
            winograd,
            b == null ? null : b.floats(),
            relu,
            out,
            base + n * stride,
            ctx);
      }
      return;
    }
    PackedA[] weights = gemmWeights(w);
    if (path == Path.DIRECT) {
      for (int n = 0; n < batch; n++) {
        DirectConv.run(
            xv,
            n * c * inSize,
            c,
            spatial[0],
            spatial[1],
            w.floats(),
            m,
            g,
            out,
            base + n * stride,
            ctx);
      }
    } else if (spatial.length == 2) {
      implicit(
          xv,
          batch,
          c,
          spatial[0],
          spatial[1],
          g,
          groups,
          cg,
          mg,
          weights,
          b == null ? null : b.floats(),
          pooling,
          out,
          base,
          stride,
          ctx);
      return;
    } else {
      for (int n = 0; n < batch; n++) {
        for (int gi = 0; gi < groups; gi++) {
          int xOff = (n * c + gi * cg) * inSize;
          PackedB patches = Im2Col.pack(xv, xOff, cg, spatial, g, ctx);
          Sgemm.multiply(
              weights[gi], patches, out, base + n * stride + gi * mg * outSize, outSize, ctx);
          ctx.recycle(patches.data());
        }
      }
    }
    if (b != null || relu) {
      float[] bias = b == null ? null : b.floats();
      for (int n = 0; n < batch; n++) {
        for (int o = 0; o < m; o++) {
          VectorMath.addRelu(
              out, base + n * stride + o * outSize, outSize, bias == null ? 0f : bias[o], relu);
        }
      }
    }
  }
}
