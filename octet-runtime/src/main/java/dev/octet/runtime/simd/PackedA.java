package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The left-hand matrix A[M][K] of a GEMM, packed into panels of {@link Sgemm#MR} rows, k-major:
 * panel r holds A[r*MR + i][k] at (r*K + k)*MR + i, zero past M, so the micro-kernel reads its 8 A
 * values for each k from one cache line.
 */
public record PackedA(float[] data, int m, int k) {

  /** Packs A[i][kk] = a[off + i*lda + kk]. */
  public static PackedA pack(float[] a, int off, int lda, int m, int k) {
    return pack(a, off, lda, m, k, new float[size(m, k)]);
  }

  /** Floats needed to pack an m x k matrix. */
  public static int size(int m, int k) {
    return Math.multiplyExact((m + Sgemm.MR - 1) / Sgemm.MR * Sgemm.MR, k);
  }

  /** As {@link #pack(float[], int, int, int, int)}, into {@code ap} (at least {@link #size}). */
  public static PackedA pack(float[] a, int off, int lda, int m, int k, float[] ap) {
    checkBuffer(ap, m, k);
    panels(a, off, lda, m, k, ap, 0, (m + Sgemm.MR - 1) / Sgemm.MR);
    return new PackedA(ap, m, k);
  }

  /**
   * As {@link #pack(float[], int, int, int, int, float[])}, the panels spread over the context's
   * threads when A is large (a one-thread packing of MiniLM's 1024 x 1536 FFN activations took 6%
   * of the GEMM's time on one thread, 10% on two).
   */
  public static PackedA pack(
      float[] a, int off, int lda, int m, int k, float[] ap, ExecContext ctx) {
    checkBuffer(ap, m, k);
    int panels = (m + Sgemm.MR - 1) / Sgemm.MR;
    // at least 64 K floats (256 KB) per parallel chunk
    int grain = Math.max(1, (1 << 16) / Math.max(1, k * Sgemm.MR));
    ctx.parallelFor(panels, grain, (r0, r1) -> panels(a, off, lda, m, k, ap, r0, r1));
    return new PackedA(ap, m, k);
  }

  private static void checkBuffer(float[] ap, int m, int k) {
    if (ap.length < size(m, k)) {
      throw new IllegalArgumentException(
          "buffer of " + ap.length + " floats is smaller than " + size(m, k));
    }
  }

  /** Packs the row panels [r0, r1). */
  private static void panels(
      float[] a, int off, int lda, int m, int k, float[] ap, int r0, int r1) {
    int mr = Sgemm.MR;
    int[] map = gatherMap(lda);
    for (int r = r0; r < r1; r++) {
      int base = r * k * mr;
      int rows = Math.min(mr, m - r * mr);
      int src = off + r * mr * lda;
      if (rows == mr) {
        // read the 8 rows side by side so that the writes are sequential: a gather takes
        // L / 8 columns of the 8 rows at once (twice the speed of scalar copies)
        int kk = 0;
        if (TRANSPOSE) {
          for (; kk + 16 <= k; kk += 16) {
            transpose8x16(a, src + kk, lda, ap, base + kk * mr);
          }
        }
        if (TRANSPOSE8) {
          for (; kk + 8 <= k; kk += 8) {
            BlockTranspose.block(a, src + kk, lda, ap, base + kk * mr, mr);
          }
        }
        if (map != null) {
          for (int step = map.length / mr; kk + step <= k; kk += step) {
            FloatVector.fromArray(Simd.F, a, src + kk, map, 0).intoArray(ap, base + kk * mr);
          }
        }
        for (; kk < k; kk++) {
          int o = base + kk * mr;
          for (int i = 0; i < mr; i++) {
            ap[o + i] = a[src + i * lda + kk];
          }
        }
      } else {
        java.util.Arrays.fill(ap, base, base + k * mr, 0f);
        for (int i = 0; i < rows; i++) {
          for (int kk = 0; kk < k; kk++) {
            ap[base + kk * mr + i] = a[src + i * lda + kk];
          }
        }
      }
    }
  }

  /** 16-lane vectors (AVX-512) and 8-row panels: whole 8 x 16 blocks transpose in registers. */
  private static final boolean TRANSPOSE =
      BlockTranspose.ENABLED && BlockTranspose.B == 16 && Sgemm.MR == 8;

  /**
   * 8-lane vectors (AVX2) and 8-row panels: whole 8 x 8 blocks transpose in registers ({@link
   * BlockTranspose}), where a gather (vgatherdps) read each column's 8 scattered values.
   */
  private static final boolean TRANSPOSE8 =
      BlockTranspose.ENABLED && BlockTranspose.B == 8 && Sgemm.MR == 8;

  private static final VectorShuffle<Float> Z1LO = TRANSPOSE ? BlockTranspose.zip(1, 0) : null;
  private static final VectorShuffle<Float> Z1HI = TRANSPOSE ? BlockTranspose.zip(1, 1) : null;
  private static final VectorShuffle<Float> Z2LO = TRANSPOSE ? BlockTranspose.zip(2, 0) : null;
  private static final VectorShuffle<Float> Z2HI = TRANSPOSE ? BlockTranspose.zip(2, 1) : null;
  private static final VectorShuffle<Float> Z4LO = TRANSPOSE ? BlockTranspose.zip(4, 0) : null;
  private static final VectorShuffle<Float> Z4HI = TRANSPOSE ? BlockTranspose.zip(4, 1) : null;

  /**
   * Columns [0, 16) of 8 rows (a[src + i * lda + c]) into packed order (dst[c * 8 + i]): three
   * rounds of pairwise interleaving (units of 1, 2, then 4 lanes), 24 two-vector shuffles for 128
   * values, where gathers took 8 loads of 16 scattered values (packing was 4% of MiniLM's time).
   */
  private static void transpose8x16(float[] a, int src, int lda, float[] dst, int d) {
    var s = Simd.F;
    FloatVector x0 = FloatVector.fromArray(s, a, src);
    FloatVector x1 = FloatVector.fromArray(s, a, src + lda);
    FloatVector x2 = FloatVector.fromArray(s, a, src + 2 * lda);
    FloatVector x3 = FloatVector.fromArray(s, a, src + 3 * lda);
    FloatVector x4 = FloatVector.fromArray(s, a, src + 4 * lda);
    FloatVector x5 = FloatVector.fromArray(s, a, src + 5 * lda);
    FloatVector x6 = FloatVector.fromArray(s, a, src + 6 * lda);
    FloatVector x7 = FloatVector.fromArray(s, a, src + 7 * lda);
    // rows (0,1), (2,3), (4,5), (6,7) interleaved: columns 0-7 and 8-15
    FloatVector a0 = x0.rearrange(Z1LO, x1);
    FloatVector a1 = x0.rearrange(Z1HI, x1);
    FloatVector b0 = x2.rearrange(Z1LO, x3);
    FloatVector b1 = x2.rearrange(Z1HI, x3);
    FloatVector c0 = x4.rearrange(Z1LO, x5);
    FloatVector c1 = x4.rearrange(Z1HI, x5);
    FloatVector d0 = x6.rearrange(Z1LO, x7);
    FloatVector d1 = x6.rearrange(Z1HI, x7);
    // rows 0-3 and 4-7: columns 0-3, 4-7, 8-11, 12-15
    FloatVector e0 = a0.rearrange(Z2LO, b0);
    FloatVector e1 = a0.rearrange(Z2HI, b0);
    FloatVector e2 = a1.rearrange(Z2LO, b1);
    FloatVector e3 = a1.rearrange(Z2HI, b1);
    FloatVector f0 = c0.rearrange(Z2LO, d0);
    FloatVector f1 = c0.rearrange(Z2HI, d0);
    FloatVector f2 = c1.rearrange(Z2LO, d1);
    FloatVector f3 = c1.rearrange(Z2HI, d1);
    // all 8 rows: two columns per vector
    e0.rearrange(Z4LO, f0).intoArray(dst, d);
    e0.rearrange(Z4HI, f0).intoArray(dst, d + 16);
    e1.rearrange(Z4LO, f1).intoArray(dst, d + 32);
    e1.rearrange(Z4HI, f1).intoArray(dst, d + 48);
    e2.rearrange(Z4LO, f2).intoArray(dst, d + 64);
    e2.rearrange(Z4HI, f2).intoArray(dst, d + 80);
    e3.rearrange(Z4LO, f3).intoArray(dst, d + 96);
    e3.rearrange(Z4HI, f3).intoArray(dst, d + 112);
  }

  /**
   * Offsets of one vector's worth of packed A relative to A[panel row 0][kk]: lane j reads row j %
   * MR, column kk + j / MR; null when a vector is not a whole number of panel columns or SIMD is
   * off.
   */
  private static int[] gatherMap(int lda) {
    int lanes = Simd.F.length();
    if (!Simd.ENABLED || lanes % Sgemm.MR != 0) {
      return null;
    }
    int[] map = new int[lanes];
    for (int j = 0; j < lanes; j++) {
      map[j] = (j % Sgemm.MR) * lda + j / Sgemm.MR;
    }
    return map;
  }

  /**
   * Quantizes and packs in one pass: A[i][kk] = saturate(round_half_even(x[i*k + kk] / scale) + zp)
   * - zp, the zero-point-shifted 8-bit values as floats (see {@link QuantVec#quantizeShifted}).
   */
  public static PackedA packQuantized(
      float[] x, int m, int k, float scale, int zp, int qmin, int qmax, ExecContext ctx) {
    int mr = Sgemm.MR;
    int panels = (m + mr - 1) / mr;
    float[] ap = new float[panels * k * mr];
    ctx.parallelFor(
        panels,
        (long) m * k < (1 << 16) ? panels : 1,
        (r0, r1) -> {
          float[] rows = new float[mr * k];
          for (int r = r0; r < r1; r++) {
            int count = Math.min(mr, m - r * mr);
            for (int i = 0; i < count; i++) {
              QuantVec.quantizeShifted(x, (r * mr + i) * k, k, scale, zp, qmin, qmax, rows, i * k);
            }
            // interleave the 8 quantized rows so that the writes are sequential
            int base = r * k * mr;
            for (int kk = 0; kk < k; kk++) {
              int o = base + kk * mr;
              for (int i = 0; i < count; i++) {
                ap[o + i] = rows[i * k + kk];
              }
            }
          }
        });
    return new PackedA(ap, m, k);
  }

  /** The sum of each row (over k). */
  public int[] rowSums() {
    int mr = Sgemm.MR;
    int[] s = new int[m];
    for (int i = 0; i < m; i++) {
      int base = (i / mr) * k * mr + i % mr;
      int sum = 0;
      for (int kk = 0; kk < k; kk++) {
        sum += (int) data[base + kk * mr];
      }
      s[i] = sum;
    }
    return s;
  }
}
