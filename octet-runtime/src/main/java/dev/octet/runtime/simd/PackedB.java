package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The right-hand matrix B[K][N] of a GEMM, packed into K-major panels of {@link Sgemm#NR} columns:
 * panel p holds, for k = 0..K-1, the NR values B[k][p*NR .. p*NR+NR-1] contiguously, zero-padded
 * past N. The micro-kernel then streams one panel with unit stride. Weights are packed once, when a
 * session is planned.
 */
public final class PackedB {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  final float[] data;
  final int k;
  final int n;
  final int panels;

  private PackedB(float[] data, int k, int n, int panels) {
    this.data = data;
    this.k = k;
    this.n = n;
    this.panels = panels;
  }

  public int k() {
    return k;
  }

  public int n() {
    return n;
  }

  /**
   * Packs B. With {@code transposed} false, B[k][j] = b[off + k*ld + j]; with true, B[k][j] = b[off
   * + j*ld + k] (B given as N rows of K, as Gemm's transB and Conv weights store it).
   */
  public static PackedB pack(float[] b, int off, int ld, int k, int n, boolean transposed) {
    return pack(b, off, ld, k, n, transposed, new float[size(k, n)]);
  }

  /**
   * As {@link #pack(float[], int, int, int, int, boolean)}, into {@code data} (at least {@link
   * #size} floats, e.g. a recycled buffer; the padding columns are left as they are).
   */
  public static PackedB pack(
      float[] b, int off, int ld, int k, int n, boolean transposed, float[] data) {
    int nr = Sgemm.NR;
    int panels = (n + nr - 1) / nr;
    if (data.length < size(k, n)) {
      throw new IllegalArgumentException(
          "buffer of " + data.length + " floats is smaller than " + size(k, n));
    }
    for (int p = 0; p < panels; p++) {
      int j0 = p * nr;
      int cols = Math.min(nr, n - j0);
      int base = p * k * nr;
      if (!transposed) {
        packPanel(b, off + j0, ld, k, cols, data, base);
      } else {
        // B x B blocks transposed with vectors, the rest value by value
        int kb = BlockTranspose.ENABLED ? k / BlockTranspose.B * BlockTranspose.B : 0;
        int jb = BlockTranspose.ENABLED ? cols / BlockTranspose.B * BlockTranspose.B : 0;
        for (int j = 0; j < jb; j += BlockTranspose.B) {
          for (int kk = 0; kk < kb; kk += BlockTranspose.B) {
            int src = off + (j0 + j) * ld + kk;
            BlockTranspose.block(b, src, ld, data, base + kk * nr + j, nr);
          }
        }
        for (int j = 0; j < cols; j++) {
          int src = off + (j0 + j) * ld;
          for (int kk = j < jb ? kb : 0; kk < k; kk++) {
            data[base + kk * nr + j] = b[src + kk];
          }
        }
      }
    }
    return new PackedB(data, k, n, panels);
  }

  /**
   * One panel of a B given as rows (not transposed): its k rows of {@code cols} <= NR floats, row
   * kk from b[off + kk * ld], to data[base + kk * NR ...]; past cols the lanes keep what they held.
   * A full panel is copied with vectors (an {@code arraycopy} of 16 floats per row took 8 ns:
   * packing a 96 x 3025 B took half as long as multiplying it by 16 rows of A).
   */
  static void packPanel(float[] b, int off, int ld, int k, int cols, float[] data, int base) {
    int nr = Sgemm.NR;
    if (cols == nr && Simd.ENABLED) {
      for (int kk = 0, src = off, dst = base; kk < k; kk++, src += ld, dst += nr) {
        for (int v = 0; v < nr; v += L) {
          FloatVector.fromArray(S, b, src + v).intoArray(data, dst + v);
        }
      }
    } else {
      for (int kk = 0; kk < k; kk++) {
        System.arraycopy(b, off + kk * ld, data, base + kk * nr, cols);
      }
    }
  }

  /**
   * An empty (zero) packed matrix for a producer that writes panels itself (see {@link #data()}).
   */
  public static PackedB allocate(int k, int n) {
    return new PackedB(new float[size(k, n)], k, n, (n + Sgemm.NR - 1) / Sgemm.NR);
  }

  /**
   * A packed matrix over {@code data} (at least {@link #size} floats, e.g. a recycled buffer). The
   * padding columns past n may hold anything: the GEMM computes but never stores them.
   */
  public static PackedB wrap(float[] data, int k, int n) {
    if (data.length < size(k, n)) {
      throw new IllegalArgumentException(
          "buffer of " + data.length + " floats is smaller than " + size(k, n));
    }
    return new PackedB(data, k, n, (n + Sgemm.NR - 1) / Sgemm.NR);
  }

  /** Floats needed to pack a k x n matrix. */
  public static int size(int k, int n) {
    return Math.multiplyExact((n + Sgemm.NR - 1) / Sgemm.NR, Math.multiplyExact(k, Sgemm.NR));
  }

  /** The panels: column j of row kk lives at (j / NR) * k * NR + kk * NR + j % NR. */
  public float[] data() {
    return data;
  }

  public int panels() {
    return panels;
  }

  /** Bytes held, for memory accounting. */
  public long bytes() {
    return 4L * data.length;
  }
}
