package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 8 x 3L micro-kernel of {@link Sgemm#kernel8} for a B whose rows lie at any offsets: row kk of
 * the panel at {@code po + koff[kk]} (an implicit convolution's input, read in place through its
 * kernel offsets, see {@code ImplicitConv}). Same arguments but {@code koff} for the row step, and
 * the same arithmetic per element. A separate copy because the loop with evenly spaced rows, whose
 * bounds checks C2 lifts out of the loop, runs 12-15% faster than one reading an offset per row
 * (all-MiniLM-L6-v2 at batch 8, one thread: 4-5% faster as a whole).
 */
final class SgemmRows {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();
  private static final int MR = Sgemm.MR;
  private static final int NR = Sgemm.NR;

  private SgemmRows() {}

  /**
   * One 8 x NR tile with this CPU's kernel ({@link Sgemm#tile}): {@link #kernel8}, or two {@link
   * SgemmHalf#kernel4Rows} halves.
   */
  static void tile(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int[] koff,
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
    if (Sgemm.HALF) {
      half(ap, ao, pb, po, koff, k, rowInit, io, colInit, jo, relu, c, co, ldc, rows, cols, t);
    } else {
      kernel8(ap, ao, pb, po, koff, k, rowInit, io, colInit, jo, relu, c, co, ldc, rows, cols, t);
    }
  }

  /** An 8 x NR tile as two 4-row {@link SgemmHalf#kernel4Rows} calls. */
  private static void half(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int[] koff,
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
    SgemmHalf.kernel4Rows(
        ap,
        ao,
        pb,
        po,
        koff,
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
      SgemmHalf.kernel4Rows(
          ap,
          ao + hr,
          pb,
          po,
          koff,
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

  static void kernel8(
      float[] ap,
      int ao,
      float[] pb,
      int po,
      int[] koff,
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
    for (int kk = 0, ak = ao; kk < k; kk++, ak += MR) {
      int bo = po + koff[kk];
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
}
