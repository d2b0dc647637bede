package dev.octet.runtime.simd;

import dev.octet.runtime.kernel.ExecContext;
import jdk.incubator.vector.FloatVector;

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
    int mr = Sgemm.MR;
    int panels = (m + mr - 1) / mr;
    if (ap.length < size(m, k)) {
      throw new IllegalArgumentException(
          "buffer of " + ap.length + " floats is smaller than " + size(m, k));
    }
    int[] map = gatherMap(lda);
    for (int r = 0; r < panels; r++) {
      int base = r * k * mr;
      int rows = Math.min(mr, m - r * mr);
      int src = off + r * mr * lda;
      if (rows == mr) {
        // read the 8 rows side by side so that the writes are sequential: a gather takes
        // L / 8 columns of the 8 rows at once (twice the speed of scalar copies)
        int kk = 0;
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
    return new PackedA(ap, m, k);
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
