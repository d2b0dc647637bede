package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, C[M][N] = A[M][K] * B[K][N], with B packed ({@link PackedB}).
 *
 * <p>Register blocking: the micro-kernel keeps an 8 x NR tile of C in 24 vector registers (NR = 3
 * vectors, 48 floats with AVX-512), broadcasts one A element per row and k from A packed in 8-row
 * panels (one cache line per k), and runs the whole K loop before storing. With 16 vector registers
 * (AVX2) NR is 2 vectors and a tile is two 4-row halves ({@link SgemmHalf}). Work is split over
 * (64-row block, panel) tiles; every C element is computed by one micro-kernel call with k in
 * order, so results do not depend on the thread count. {@link SgemmReference} is the naive loop it
 * is tested against and the path taken when SIMD is off.
 */
public final class Sgemm {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  /** Rows of the micro-kernel tile. */
  public static final int MR = 8;

  /** Whether tiles run as two 4-row halves ({@link SgemmHalf}): CPUs with 16 vector registers. */
  static final boolean HALF = Simd.REGISTERS < 32;

  /** Columns of the micro-kernel tile: 3 vectors, or 2 with 16 vector registers. */
  public static final int NR = (HALF ? 2 : 3) * L;

  /** Rows of A per L2 block: one block of packed A (64 x K floats) stays in L2 across panels. */
  private static final int MC = 64;

  /** Bytes of A from which its blocks are read through before their first tile. */
  private static final long TOUCH_A_BYTES = 1 << 20;

  /**
   * A GEMM (float or int8) of fewer multiply-adds runs on one thread: a parallel region costs a few
   * microseconds, a wake-up more.
   */
  public static final long PARALLEL_MACS = 1 << 20;

  private Sgemm() {}

  /** An edge tile's scratch (MR x NR floats) per thread, for {@link #kernel8}. */
  static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[MR * NR]);

  /**
   * Initial values of a tile's rows or columns when there is no bias: NR columns, or a row block's
   * MC rows ({@link SgemmColumns} reads a block's start values at once).
   */
  static final float[] ZERO = new float[Math.max(NR, MC)];

  /** A column bias padded to whole panels with zeros, as {@link #multiply} takes it. */
  public static float[] padColumns(float[] bias, int n) {
    return java.util.Arrays.copyOf(bias, (n + NR - 1) / NR * NR);
  }

  /** C = A * B (overwriting C). A[i][k] = a[aOff + i*lda + k]; C[i][j] = c[cOff + i*ldc + j]. */
  public static void multiply(
      float[] a,
      int aOff,
      int lda,
      int m,
      PackedB b,
      float[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    multiply(a, aOff, lda, m, b, null, c, cOff, ldc, ctx);
  }

  /**
   * C = A * B + colBias (added to every row; null for none, else padded with {@link #padColumns}).
   * A is packed into a buffer of the context's pool.
   */
  public static void multiply(
      float[] a,
      int aOff,
      int lda,
      int m,
      PackedB b,
      float[] colBias,
      float[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    int k = b.k;
    int n = b.n;
    if (!Simd.ENABLED || m < MR) {
      if (!Simd.ENABLED) {
        SgemmReference.multiplyPacked(a, aOff, lda, m, b, c, cOff, ldc);
      } else {
        rows(a, aOff, lda, m, b, c, cOff, ldc, ctx);
      }
      for (int i = 0; colBias != null && i < m; i++) {
        VectorMath.binary(
            c, cOff + i * ldc, 1, colBias, 0, 1, c, cOff + i * ldc, n, VectorMath.Binary.ADD);
      }
      return;
    }
    float[] buffer = ctx.floats(PackedA.size(m, k));
    multiply(PackedA.pack(a, aOff, lda, m, k, buffer, ctx), b, colBias, c, cOff, ldc, ctx);
    ctx.recycle(buffer);
  }

  /** A few rows (GEMV-like): B streamed once per row, A not packed. */
  private static void rows(
      float[] a,
      int aOff,
      int lda,
      int m,
      PackedB b,
      float[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    int k = b.k;
    int n = b.n;
    ctx.parallelFor(
        b.panels,
        (long) m * n * k < PARALLEL_MACS ? b.panels : 1,
        (p0, p1) -> {
          for (int p = p0; p < p1; p++) {
            for (int i = 0; i < m; i++) {
              kernel1(
                  a,
                  aOff + i * lda,
                  b.data,
                  p * k * NR,
                  k,
                  c,
                  cOff + i * ldc + p * NR,
                  Math.min(NR, n - p * NR));
            }
          }
        });
  }

  /** C = A * B with both operands packed (A once, e.g. convolution weights). */
  public static void multiply(PackedA a, PackedB b, float[] c, int cOff, int ldc, ExecContext ctx) {
    multiply(a, b, null, c, cOff, ldc, ctx);
  }

  /**
   * C = A * B + colBias (added to every row; null for none, else padded with {@link #padColumns}),
   * both operands packed. The bias is where the accumulators start: no pass over C.
   */
  public static void multiply(
      PackedA a, PackedB b, float[] colBias, float[] c, int cOff, int ldc, ExecContext ctx) {
    if (colBias != null && colBias.length < b.panels * NR) {
      throw new IllegalArgumentException("column bias not padded to " + b.panels * NR);
    }
    if (a.k() != b.k) {
      throw new IllegalArgumentException("A has " + a.k() + " columns, B " + b.k + " rows");
    }
    float[] colInit = colBias == null ? ZERO : colBias;
    tiles(a, null, 0, null, 0, b.data, b.n, ZERO, 0, colInit, false, c, cOff, ldc, ctx, -1);
  }

  /**
   * C = A * B + bias, then Relu when asked, with B read in place: B[kk][j] = b[bOff + rows[kk] + j]
   * for j < n. Each k row of B is a contiguous run of n floats somewhere in {@code b}: a
   * convolution's input read through its kernel offsets (implicit im2col, see {@code
   * ImplicitConv}), or a row-major matrix (rows[kk] = kk * ld). Only the last, partial panel is
   * copied. The bias (per row of C: bias[biasOff + i], or null) is where each accumulator starts,
   * so bias and Relu cost no pass over C.
   */
  public static void multiply(
      PackedA a,
      float[] b,
      int bOff,
      int[] rows,
      int n,
      float[] bias,
      int biasOff,
      boolean relu,
      float[] c,
      int cOff,
      int ldc,
      ExecContext ctx) {
    int m = a.m();
    int k = a.k();
    if (rows.length < k) {
      throw new IllegalArgumentException("A has " + k + " columns, B " + rows.length + " rows");
    }
    if (!Simd.ENABLED) {
      SgemmReference.multiplyRows(a, b, bOff, rows, n, bias, biasOff, relu, c, cOff, ldc);
      return;
    }
    // the kernel reads MR bias values for every tile: the bias in place when it has them (no
    // allocation per call: this array was Winograd's and the convolutions' largest, 1-4 KB per
    // GEMM), else a copy padded to whole tiles; no bias reads ZERO's first MR values every time
    int padded = (m + MR - 1) / MR * MR;
    float[] init = ZERO;
    int initOff = 0;
    if (bias != null && biasOff + padded <= bias.length) {
      init = bias;
      initOff = biasOff;
    } else if (bias != null) {
      init = new float[padded];
      System.arraycopy(bias, biasOff, init, 0, m);
    }
    // with 16-column panels (AVX2) a row of B read in place is 64 bytes that mostly straddle two
    // cache lines, k of them per panel: 128 k bytes, which from k = 256 on no longer stay in a 32
    // KB
    // L1 while the panel's tiles pass over them. A B of evenly spaced rows (a pointwise
    // convolution's input) is then packed first: panel by panel, each into a thread's buffer just
    // before its tiles (64 k bytes, read in order) where the tiles go panel by panel (Tiles), and
    // whole otherwise (Zen 1 EPYC, one thread: SqueezeNet's conv10, 1000 x 512 x 169, 6.8 -> 5.1
    // ms; fire9's squeeze, 64 x 512 x 169, 435 -> 338 us and fire5's, 32 x 256 x 729, 480 -> 386;
    // with 16 rows, four passes over each panel, packing cost more than it saved: 16 x 128 x 3025
    // 333 -> 369 us, and with k = 128 it saved nothing)
    int stride = HALF ? linearStride(rows, k) : -1;
    boolean panelMajor = (m + MC - 1) / MC <= Tiles.PANEL_MAJOR_BLOCKS;
    if (stride > 0 && panelMajor && (k >= 256 ? m > 2 * MR : m > MC)) {
      tiles(a, b, bOff, rows, 0, null, n, init, initOff, ZERO, relu, c, cOff, ldc, ctx, stride);
      return;
    }
    if (stride > 0 && m > MC) {
      float[] packed = ctx.floats(PackedB.size(k, n));
      PackedB.pack(b, bOff, stride, k, n, false, packed);
      tiles(a, null, 0, null, 0, packed, n, init, initOff, ZERO, relu, c, cOff, ldc, ctx, -1);
      ctx.recycle(packed);
      return;
    }
    float[] tail = tailPanel(b, bOff, rows, k, n, ctx);
    tiles(a, b, bOff, rows, n / NR, tail, n, init, initOff, ZERO, relu, c, cOff, ldc, ctx, -1);
    ctx.recycle(tail);
  }

  /**
   * The tiles of C = A * B for both forms of B: panels p < full read in place (row kk at b[bOff + p
   * * NR + rows[kk]]), the others from {@code packed} (panel p - full, K-major). Rows of C start
   * from rowInit[rowInitOff + i] + colInit[j] (ZERO: 0) and end with Relu when asked. With {@code
   * packStride} >= 0 (and full = 0) B's row kk is b[bOff + kk * packStride], and each task packs a
   * panel into its thread's buffer when its tiles come to it.
   */
  private static void tiles(
      PackedA a,
      float[] b,
      int bOff,
      int[] rows,
      int full,
      float[] packed,
      int n,
      float[] rowInit,
      int rowInitOff,
      float[] colInit,
      boolean relu,
      float[] c,
      int cOff,
      int ldc,
      ExecContext ctx,
      int packStride) {
    int m = a.m();
    int k = a.k();
    float[] ap = a.data();
    int stride = rows == null ? -1 : linearStride(rows, k);
    // a block of A larger than L2 in all is not in any cache when the GEMM starts (SqueezeNet's
    // conv10: 2 MB of weights, 0.97 ms in the model against 0.79 alone), and the tiles read each
    // 64-row block first as eight 16 KB pieces at the pace of the FMAs, too slowly for the
    // prefetcher; a task reads a block through in order when it comes to it ({@link Prefetch}).
    // Only where a task's tiles take a block's panels one after another (see Tiles)
    boolean touchA = 4L * m * k >= TOUCH_A_BYTES && (m + MC - 1) / MC > Tiles.PANEL_MAJOR_BLOCKS;
    Tiles.run(
        ctx,
        (long) m * n * k,
        m,
        MC,
        (n + NR - 1) / NR,
        4L * k * NR,
        () -> {
          // the edge tiles' scratch, one per thread (a fresh one per edge tile, or per task, was
          // SqueezeNet's largest allocation: about 1 MB per run)
          float[] t = SCRATCH.get();
          float[] panel = packStride < 0 ? null : panelBuffer(k);
          int[] touched = {-1};
          int[] inPanel = {-1};
          return (p, block) -> {
            if (panel != null && p != inPanel[0]) {
              inPanel[0] = p;
              PackedB.packPanel(
                  b, bOff + p * NR, packStride, k, Math.min(NR, n - p * NR), panel, 0);
            }
            if (touchA && block != touched[0]) {
              touched[0] = block;
              Prefetch.floats(ap, block * MC * k, Math.min(m, block * MC + MC) * k);
            }
            int j0 = p * NR;
            boolean inPlace = p < full;
            // the narrow kernels take a last panel of at most two vectors where vectors are 512
            // bits (chosen here, not at kernel8's entry: a call there made C2 compile kernel8 25%
            // slower). With 16 registers a panel is two vectors, and a last one of at most one
            // vector also takes the half tiles: kernel8x1's eight accumulators and eight broadcasts
            // spill there (Zen 3, one thread: a last panel of 1-8 columns took 1.6 times as long
            // as a whole one, 1000 x 512 x 49 907 us against 737; SqueezeNet 0.977-1.000 in eight
            // A/Bs interleaved in one JVM, BENCHMARKS.md session 33)
            boolean narrow = !HALF && n - j0 <= SgemmNarrow.NR;
            int cols = Math.min(NR, n - j0);
            float[] src = panel != null ? panel : inPlace ? b : packed;
            int srcOff = panel != null ? 0 : inPlace ? bOff + j0 : (p - full) * k * NR;
            int colOff = colInit == ZERO ? 0 : j0;
            if (HALF && cols <= SgemmColumns.MAX_COLUMNS) {
              // a last panel of one or two columns (3025 pixels, 49 Winograd tiles), one column
              // at a time, not as a whole tile
              int i0 = block * MC;
              SgemmColumns.columns(
                  ap,
                  i0 * k,
                  src,
                  srcOff,
                  NR,
                  k,
                  rowInit,
                  rowInit == ZERO ? 0 : rowInitOff + i0,
                  colInit,
                  colOff,
                  relu,
                  c,
                  cOff + i0 * ldc + j0,
                  ldc,
                  Math.min(m, i0 + MC) - i0,
                  cols,
                  t);
              return;
            }
            for (int i0 = block * MC, end = Math.min(m, i0 + MC); i0 < end; i0 += MR) {
              int rowOff = rowInit == ZERO ? 0 : rowInitOff + i0;
              int co = cOff + i0 * ldc + j0;
              int tileRows = Math.min(MR, m - i0);
              if (narrow && n - j0 <= L) {
                SgemmNarrow.kernel8x1(
                    ap, i0 * k, src, srcOff, NR, k, rowInit, rowOff, colInit, colOff, relu, c, co,
                    ldc, tileRows, n - j0, t);
              } else if (narrow) {
                SgemmNarrow.kernel8x2(
                    ap, i0 * k, src, srcOff, NR, k, rowInit, rowOff, colInit, colOff, relu, c, co,
                    ldc, tileRows, n - j0, t);
              } else if (!inPlace || stride >= 0) {
                tile(
                    ap,
                    i0 * k,
                    src,
                    srcOff,
                    inPlace ? stride : NR,
                    k,
                    rowInit,
                    rowOff,
                    colInit,
                    colOff,
                    relu,
                    c,
                    co,
                    ldc,
                    tileRows,
                    cols,
                    t);
              } else {
                SgemmRows.tile(
                    ap, i0 * k, src, srcOff, rows, k, rowInit, rowOff, colInit, colOff, relu, c, co,
                    ldc, tileRows, cols, t);
              }
            }
          };
        });
  }

  /** A thread's buffer for one packed panel of B (k x NR floats), grown as needed. */
  private static float[] panelBuffer(int k) {
    float[] buffer = PANEL.get();
    if (buffer.length < k * NR) {
      buffer = new float[k * NR];
      PANEL.set(buffer);
    }
    return buffer;
  }

  private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

  /** The step of rows[0..k) when they are evenly spaced (a pointwise convolution's), else -1. */
  static int linearStride(int[] rows, int k) {
    if (k < 2) {
      return k == 1 && rows[0] == 0 ? 0 : -1;
    }
    int step = rows[1] - rows[0];
    if (rows[0] != 0 || step < 0) {
      return -1;
    }
    for (int i = 2; i < k; i++) {
      if (rows[i] - rows[i - 1] != step) {
        return -1;
      }
    }
    return step;
  }

  private static final float[] NO_TAIL = new float[0];

  /**
   * The partial last panel of a B read in place (columns from n / NR * NR on), packed into a buffer
   * of the context (give it back with {@link ExecContext#recycle}), so that no read goes past a
   * row's n floats; the lanes past n hold values of no meaning, computed and dropped. Empty when n
   * fills whole panels.
   */
  static float[] tailPanel(float[] b, int bOff, int[] rows, int k, int n, ExecContext ctx) {
    int full = n / NR * NR;
    if (full == n) {
      return NO_TAIL;
    }
    float[] tail = ctx.floats(k * NR);
    for (int kk = 0; kk < k; kk++) {
      System.arraycopy(b, bOff + rows[kk] + full, tail, kk * NR, n - full);
    }
    return tail;
  }

  /**
   * One 8 x NR tile as {@link #kernel8} computes it (same arguments), with this CPU's kernel:
   * kernel8, or two {@link SgemmHalf} halves.
   */
  static void tile(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int ldb,
      int k,
      float[] rowInit,
      int io,
      float[] colInit,
      int jo,
      boolean relu,
      float[] c,
      int co,
      int ldc,
      int rows,
      int cols,
      float[] t) {
    if (HALF) {
      half(ap, ao, pb, po, ldb, k, rowInit, io, colInit, jo, relu, c, co, ldc, rows, cols, t);
    } else {
      kernel8(ap, ao, pb, po, ldb, k, rowInit, io, colInit, jo, relu, c, co, ldc, rows, cols, t);
    }
  }

  /** An 8 x NR tile as two 4-row {@link SgemmHalf#kernel4} calls (the second one when rows > 4). */
  private static void half(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int ldb,
      int k,
      float[] rowInit,
      int io,
      float[] colInit,
      int jo,
      boolean relu,
      float[] c,
      int co,
      int ldc,
      int rows,
      int cols,
      float[] t) {
    int hr = SgemmHalf.HR;
    SgemmHalf.kernel4(
        ap,
        ao,
        pb,
        po,
        ldb,
        k,
        rowInit,
        io,
        colInit,
        jo,
        relu,
        c,
        co,
        ldc,
        Math.min(hr, rows),
        cols,
        t);
    if (rows > hr) {
      SgemmHalf.kernel4(
          ap,
          ao + hr,
          pb,
          po,
          ldb,
          k,
          rowInit,
          io + hr,
          colInit,
          jo,
          relu,
          c,
          co + hr * ldc,
          ldc,
          rows - hr,
          cols,
          t);
    }
  }

  /**
   * The micro-kernel: rows [0, rows) and columns [0, cols) of the 8 x NR tile of C at {@code co}
   * ({@code ldc} apart), from A's 8-row panel at {@code ao} and k rows of B from {@code po}, {@code
   * ldb} apart (NR in a packed panel; a pointwise convolution's input read in place: its plane
   * size). Edge tiles go through the caller's scratch {@code t}. {@link SgemmRows#kernel8} is the
   * same for rows at any offsets.
   */
  static void kernel8(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int ldb,
      int k,
      float[] rowInit,
      int io,
      float[] colInit,
      int jo,
      boolean relu,
      float[] c,
      int co,
      int ldc,
      int rows,
      int cols,
      float[] t) {
    // C[i][j] starts from rowInit[io + i] + colInit[jo + j] (biases, or 0) and ends with max(., 0)
    // when relu
    FloatVector v0 = FloatVector.fromArray(S, colInit, jo);
    FloatVector v1 = FloatVector.fromArray(S, colInit, jo + L);
    FloatVector v2 = FloatVector.fromArray(S, colInit, jo + 2 * L);
    FloatVector x0 = FloatVector.broadcast(S, rowInit[io]);
    FloatVector c00 = x0.add(v0), c01 = x0.add(v1), c02 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 1]);
    FloatVector c10 = x0.add(v0), c11 = x0.add(v1), c12 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 2]);
    FloatVector c20 = x0.add(v0), c21 = x0.add(v1), c22 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 3]);
    FloatVector c30 = x0.add(v0), c31 = x0.add(v1), c32 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 4]);
    FloatVector c40 = x0.add(v0), c41 = x0.add(v1), c42 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 5]);
    FloatVector c50 = x0.add(v0), c51 = x0.add(v1), c52 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 6]);
    FloatVector c60 = x0.add(v0), c61 = x0.add(v1), c62 = x0.add(v2);
    x0 = FloatVector.broadcast(S, rowInit[io + 7]);
    FloatVector c70 = x0.add(v0), c71 = x0.add(v1), c72 = x0.add(v2);
    for (int kk = 0, ak = ao, bo = po; kk < k; kk++, ak += MR, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + L);
      FloatVector b2 = FloatVector.fromArray(S, pb, bo + 2 * L);
      FloatVector x = FloatVector.broadcast(S, ap[ak]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      c02 = x.fma(b2, c02);
      x = FloatVector.broadcast(S, ap[ak + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      c12 = x.fma(b2, c12);
      x = FloatVector.broadcast(S, ap[ak + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      c22 = x.fma(b2, c22);
      x = FloatVector.broadcast(S, ap[ak + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      c32 = x.fma(b2, c32);
      x = FloatVector.broadcast(S, ap[ak + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      c42 = x.fma(b2, c42);
      x = FloatVector.broadcast(S, ap[ak + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      c52 = x.fma(b2, c52);
      x = FloatVector.broadcast(S, ap[ak + 6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      c62 = x.fma(b2, c62);
      x = FloatVector.broadcast(S, ap[ak + 7]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
      c72 = x.fma(b2, c72);
    }
    if (relu) {
      FloatVector zero = FloatVector.zero(S);
      c00 = c00.blend(zero, c00.compare(VectorOperators.LE, zero));
      c01 = c01.blend(zero, c01.compare(VectorOperators.LE, zero));
      c02 = c02.blend(zero, c02.compare(VectorOperators.LE, zero));
      c10 = c10.blend(zero, c10.compare(VectorOperators.LE, zero));
      c11 = c11.blend(zero, c11.compare(VectorOperators.LE, zero));
      c12 = c12.blend(zero, c12.compare(VectorOperators.LE, zero));
      c20 = c20.blend(zero, c20.compare(VectorOperators.LE, zero));
      c21 = c21.blend(zero, c21.compare(VectorOperators.LE, zero));
      c22 = c22.blend(zero, c22.compare(VectorOperators.LE, zero));
      c30 = c30.blend(zero, c30.compare(VectorOperators.LE, zero));
      c31 = c31.blend(zero, c31.compare(VectorOperators.LE, zero));
      c32 = c32.blend(zero, c32.compare(VectorOperators.LE, zero));
      c40 = c40.blend(zero, c40.compare(VectorOperators.LE, zero));
      c41 = c41.blend(zero, c41.compare(VectorOperators.LE, zero));
      c42 = c42.blend(zero, c42.compare(VectorOperators.LE, zero));
      c50 = c50.blend(zero, c50.compare(VectorOperators.LE, zero));
      c51 = c51.blend(zero, c51.compare(VectorOperators.LE, zero));
      c52 = c52.blend(zero, c52.compare(VectorOperators.LE, zero));
      c60 = c60.blend(zero, c60.compare(VectorOperators.LE, zero));
      c61 = c61.blend(zero, c61.compare(VectorOperators.LE, zero));
      c62 = c62.blend(zero, c62.compare(VectorOperators.LE, zero));
      c70 = c70.blend(zero, c70.compare(VectorOperators.LE, zero));
      c71 = c71.blend(zero, c71.compare(VectorOperators.LE, zero));
      c72 = c72.blend(zero, c72.compare(VectorOperators.LE, zero));
    }
    if (rows == MR && cols == NR) {
      // the common full tile: stores written out so that no vector leaves this method
      c00.intoArray(c, co);
      c01.intoArray(c, co + L);
      c02.intoArray(c, co + 2 * L);
      c10.intoArray(c, co + ldc);
      c11.intoArray(c, co + ldc + L);
      c12.intoArray(c, co + ldc + 2 * L);
      c20.intoArray(c, co + 2 * ldc);
      c21.intoArray(c, co + 2 * ldc + L);
      c22.intoArray(c, co + 2 * ldc + 2 * L);
      c30.intoArray(c, co + 3 * ldc);
      c31.intoArray(c, co + 3 * ldc + L);
      c32.intoArray(c, co + 3 * ldc + 2 * L);
      c40.intoArray(c, co + 4 * ldc);
      c41.intoArray(c, co + 4 * ldc + L);
      c42.intoArray(c, co + 4 * ldc + 2 * L);
      c50.intoArray(c, co + 5 * ldc);
      c51.intoArray(c, co + 5 * ldc + L);
      c52.intoArray(c, co + 5 * ldc + 2 * L);
      c60.intoArray(c, co + 6 * ldc);
      c61.intoArray(c, co + 6 * ldc + L);
      c62.intoArray(c, co + 6 * ldc + 2 * L);
      c70.intoArray(c, co + 7 * ldc);
      c71.intoArray(c, co + 7 * ldc + L);
      c72.intoArray(c, co + 7 * ldc + 2 * L);
      return;
    }
    // an edge tile: unmasked stores into the caller's scratch tile t (MR x NR floats), then copy
    // the valid part. (Masked stores that reach past the array end leave the intrinsic path, and a
    // helper taking the vectors would box them: both cost more than the copy.)
    c00.intoArray(t, 0);
    c01.intoArray(t, L);
    c02.intoArray(t, 2 * L);
    c10.intoArray(t, NR);
    c11.intoArray(t, NR + L);
    c12.intoArray(t, NR + 2 * L);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + L);
    c22.intoArray(t, 2 * NR + 2 * L);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + L);
    c32.intoArray(t, 3 * NR + 2 * L);
    c40.intoArray(t, 4 * NR);
    c41.intoArray(t, 4 * NR + L);
    c42.intoArray(t, 4 * NR + 2 * L);
    c50.intoArray(t, 5 * NR);
    c51.intoArray(t, 5 * NR + L);
    c52.intoArray(t, 5 * NR + 2 * L);
    c60.intoArray(t, 6 * NR);
    c61.intoArray(t, 6 * NR + L);
    c62.intoArray(t, 6 * NR + 2 * L);
    c70.intoArray(t, 7 * NR);
    c71.intoArray(t, 7 * NR + L);
    c72.intoArray(t, 7 * NR + 2 * L);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * NR, c, co + r * ldc, cols);
    }
  }

  private static void kernel1(
      float[] a, int ao, float[] pb, int po, int k, float[] c, int co, int cols) {
    // the third vector only where NR has one (a constant: C2 drops the dead branch)
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
    for (int kk = 0, bo = po; kk < k; kk++, bo += NR) {
      FloatVector x = FloatVector.broadcast(S, a[ao + kk]);
      c0 = x.fma(FloatVector.fromArray(S, pb, bo), c0);
      c1 = x.fma(FloatVector.fromArray(S, pb, bo + L), c1);
      if (!HALF) {
        c2 = x.fma(FloatVector.fromArray(S, pb, bo + 2 * L), c2);
      }
    }
    float[] t = cols == NR ? c : new float[NR];
    int to = cols == NR ? co : 0;
    c0.intoArray(t, to);
    c1.intoArray(t, to + L);
    if (!HALF) {
      c2.intoArray(t, to + 2 * L);
    }
    if (t != c) {
      System.arraycopy(t, 0, c, co, cols);
    }
  }
}
