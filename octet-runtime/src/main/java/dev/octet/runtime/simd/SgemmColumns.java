package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A last panel of at most {@link #MAX_COLUMNS} columns (SqueezeNet's 3025 = 189 x 16 + 1 pixels,
 * its 49-tile Winograd GEMMs), one column at a time with the rows in the lanes: a vector of A holds
 * one k of an 8-row panel ({@link PackedA}), times B[k][j] broadcast. The half tiles would compute
 * all 16 columns of the panel for them. Eight row panels at a time keep eight independent FMA
 * chains, as many as the tiles'; a last group of fewer panels runs one chain each. Each C element
 * is the same arithmetic as in the tile kernels: rowInit[i] + colInit[j], then A[i][k] * B[k][j]
 * added with k in order, then Relu; the same bits. Only where a vector is one panel's 8 rows (AVX2:
 * {@link Sgemm#HALF} with 8 lanes).
 *
 * <p>Zen 3, one thread: 49 columns take 1.10-1.11 times as long as 48 with it (128 x 32 x 49: 7.0
 * us, 256 x 64 x 49: 22.3), 1.36-1.37 times with the half tiles (8.5 and 29.0 us); SqueezeNet
 * 0.977-1.016, median 0.987, in eight A/Bs interleaved in one JVM (BENCHMARKS.md, session 33). From
 * 3 columns on the column passes (each reading the row block's A again) cost as much as the tiles
 * or more.
 */
final class SgemmColumns {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();
  private static final FloatVector ONE = Simd.ONE;
  private static final int MR = Sgemm.MR;

  private SgemmColumns() {}

  /** The widest last panel taken here. */
  static final int MAX_COLUMNS = L == MR ? 2 : 0;

  /**
   * C[i][j] for rows [0, rows) and columns [0, cols) from the row panels at {@code ao} (panel r at
   * ao + r * k * MR) and B[kk][j] = pb[po + kk * ldb + j]; C[i][j] at c[co + i * ldc + j].
   */
  static void columns(
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
    // each accumulator starts at rowInit[i] + colInit[j], as in the tile kernels (rows <= MC:
    // Sgemm.ZERO holds a row block's zeros)
    int panels = (rows + MR - 1) / MR;
    for (int j = 0; j < cols; j++) {
      int r = 0;
      for (; r + 8 <= panels; r += 8) {
        column8(
            ap,
            ao + r * k * MR,
            pb,
            po + j,
            ldb,
            k,
            rowInit,
            io + r * MR,
            colInit[jo + j],
            relu,
            k * MR,
            t);
        store(t, 8 * MR, c, co + r * MR * ldc + j, ldc, rows - r * MR);
      }
      for (; r < panels; r++) {
        column1(
            ap,
            ao + r * k * MR,
            pb,
            po + j,
            ldb,
            k,
            rowInit,
            io + r * MR,
            colInit[jo + j],
            relu,
            t);
        store(t, MR, c, co + r * MR * ldc + j, ldc, rows - r * MR);
      }
    }
  }

  /** t[0..n) into C's column, rows past {@code rows} dropped. */
  private static void store(float[] t, int n, float[] c, int co, int ldc, int rows) {
    for (int i = 0, end = Math.min(n, rows); i < end; i++) {
      c[co + i * ldc] = t[i];
    }
  }

  /** One column of 8 row panels (64 rows, panels {@code ps} floats apart) into t[0..64). */
  private static void column8(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int ldb,
      int k,
      float[] rowInit,
      int io,
      float col,
      boolean relu,
      int ps,
      float[] t) {
    FloatVector zero = FloatVector.zero(S);
    FloatVector cv = FloatVector.broadcast(S, col);
    FloatVector c0 = FloatVector.fromArray(S, rowInit, io).add(cv);
    FloatVector c1 = FloatVector.fromArray(S, rowInit, io + MR).add(cv);
    FloatVector c2 = FloatVector.fromArray(S, rowInit, io + 2 * MR).add(cv);
    FloatVector c3 = FloatVector.fromArray(S, rowInit, io + 3 * MR).add(cv);
    FloatVector c4 = FloatVector.fromArray(S, rowInit, io + 4 * MR).add(cv);
    FloatVector c5 = FloatVector.fromArray(S, rowInit, io + 5 * MR).add(cv);
    FloatVector c6 = FloatVector.fromArray(S, rowInit, io + 6 * MR).add(cv);
    FloatVector c7 = FloatVector.fromArray(S, rowInit, io + 7 * MR).add(cv);
    for (int kk = 0; kk < k; kk++) {
      int ak = ao + kk * MR;
      FloatVector b = FloatVector.broadcast(S, pb[po + kk * ldb]);
      c0 = FloatVector.fromArray(S, ap, ak).fma(b, c0);
      c1 = FloatVector.fromArray(S, ap, ak + ps).fma(b, c1);
      c2 = FloatVector.fromArray(S, ap, ak + 2 * ps).fma(b, c2);
      c3 = FloatVector.fromArray(S, ap, ak + 3 * ps).fma(b, c3);
      c4 = FloatVector.fromArray(S, ap, ak + 4 * ps).fma(b, c4);
      c5 = FloatVector.fromArray(S, ap, ak + 5 * ps).fma(b, c5);
      c6 = FloatVector.fromArray(S, ap, ak + 6 * ps).fma(b, c6);
      c7 = FloatVector.fromArray(S, ap, ak + 7 * ps).fma(b, c7);
    }
    // retyped as in SgemmHalf.kernel4, so that the Relu and the stores need no shared profile
    c0 = ONE.mul(c0);
    c1 = ONE.mul(c1);
    c2 = ONE.mul(c2);
    c3 = ONE.mul(c3);
    c4 = ONE.mul(c4);
    c5 = ONE.mul(c5);
    c6 = ONE.mul(c6);
    c7 = ONE.mul(c7);
    if (relu) {
      c0 = c0.blend(zero, c0.compare(VectorOperators.LE, zero));
      c1 = c1.blend(zero, c1.compare(VectorOperators.LE, zero));
      c2 = c2.blend(zero, c2.compare(VectorOperators.LE, zero));
      c3 = c3.blend(zero, c3.compare(VectorOperators.LE, zero));
      c4 = c4.blend(zero, c4.compare(VectorOperators.LE, zero));
      c5 = c5.blend(zero, c5.compare(VectorOperators.LE, zero));
      c6 = c6.blend(zero, c6.compare(VectorOperators.LE, zero));
      c7 = c7.blend(zero, c7.compare(VectorOperators.LE, zero));
    }
    c0.intoArray(t, 0);
    c1.intoArray(t, MR);
    c2.intoArray(t, 2 * MR);
    c3.intoArray(t, 3 * MR);
    c4.intoArray(t, 4 * MR);
    c5.intoArray(t, 5 * MR);
    c6.intoArray(t, 6 * MR);
    c7.intoArray(t, 7 * MR);
  }

  /** One column of one row panel into t[0..8). */
  private static void column1(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int ldb,
      int k,
      float[] rowInit,
      int io,
      float col,
      boolean relu,
      float[] t) {
    FloatVector zero = FloatVector.zero(S);
    FloatVector c0 = FloatVector.fromArray(S, rowInit, io).add(FloatVector.broadcast(S, col));
    for (int kk = 0; kk < k; kk++) {
      c0 =
          FloatVector.fromArray(S, ap, ao + kk * MR)
              .fma(FloatVector.broadcast(S, pb[po + kk * ldb]), c0);
    }
    c0 = ONE.mul(c0);
    if (relu) {
      c0 = c0.blend(zero, c0.compare(VectorOperators.LE, zero));
    }
    c0.intoArray(t, 0);
  }
}
