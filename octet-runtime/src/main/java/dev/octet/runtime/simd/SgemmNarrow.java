package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernels for a last panel at most two vectors wide (32 columns with AVX-512): an 8 x 2L
 * tile in 16 accumulators, or an 8 x L tile in 8, so that a narrow right edge (attention's 32-wide
 * head dimension, SqueezeNet's 169-column layers) does not pay for the third vector of {@link
 * Sgemm#kernel8}. Same arguments and the same arithmetic per element (start value, then k in order,
 * then Relu). A narrow panel is always the packed last one (rows NR apart). Only with 32 vector
 * registers: with 16, kernel8x1's accumulators and broadcasts spill, and a last panel of one vector
 * takes {@link SgemmHalf}'s tiles (see {@link Sgemm}).
 */
final class SgemmNarrow {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  private static final FloatVector ONE = Simd.ONE;

  /** Columns of the wider kernel's tile. */
  static final int NR = 2 * L;

  private SgemmNarrow() {}

  static void kernel8x2(
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
    FloatVector v0 = FloatVector.fromArray(S, colInit, jo);
    FloatVector v1 = FloatVector.fromArray(S, colInit, jo + L);
    FloatVector x0 = FloatVector.broadcast(S, rowInit[io]);
    FloatVector c00 = x0.add(v0), c01 = x0.add(v1);
    FloatVector x1 = FloatVector.broadcast(S, rowInit[io + 1]);
    FloatVector c10 = x1.add(v0), c11 = x1.add(v1);
    FloatVector x2 = FloatVector.broadcast(S, rowInit[io + 2]);
    FloatVector c20 = x2.add(v0), c21 = x2.add(v1);
    FloatVector x3 = FloatVector.broadcast(S, rowInit[io + 3]);
    FloatVector c30 = x3.add(v0), c31 = x3.add(v1);
    FloatVector x4 = FloatVector.broadcast(S, rowInit[io + 4]);
    FloatVector c40 = x4.add(v0), c41 = x4.add(v1);
    FloatVector x5 = FloatVector.broadcast(S, rowInit[io + 5]);
    FloatVector c50 = x5.add(v0), c51 = x5.add(v1);
    FloatVector x6 = FloatVector.broadcast(S, rowInit[io + 6]);
    FloatVector c60 = x6.add(v0), c61 = x6.add(v1);
    FloatVector x7 = FloatVector.broadcast(S, rowInit[io + 7]);
    FloatVector c70 = x7.add(v0), c71 = x7.add(v1);
    for (int kk = 0, ak = ao, bo = po; kk < k; kk++, ak += Sgemm.MR, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ak]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ak + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ak + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ak + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ak + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ak + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, ap[ak + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, ap[ak + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    if (relu) {
      FloatVector zero = FloatVector.zero(S);
      c00 = c00.blend(zero, c00.compare(VectorOperators.LE, zero));
      c01 = c01.blend(zero, c01.compare(VectorOperators.LE, zero));
      c10 = c10.blend(zero, c10.compare(VectorOperators.LE, zero));
      c11 = c11.blend(zero, c11.compare(VectorOperators.LE, zero));
      c20 = c20.blend(zero, c20.compare(VectorOperators.LE, zero));
      c21 = c21.blend(zero, c21.compare(VectorOperators.LE, zero));
      c30 = c30.blend(zero, c30.compare(VectorOperators.LE, zero));
      c31 = c31.blend(zero, c31.compare(VectorOperators.LE, zero));
      c40 = c40.blend(zero, c40.compare(VectorOperators.LE, zero));
      c41 = c41.blend(zero, c41.compare(VectorOperators.LE, zero));
      c50 = c50.blend(zero, c50.compare(VectorOperators.LE, zero));
      c51 = c51.blend(zero, c51.compare(VectorOperators.LE, zero));
      c60 = c60.blend(zero, c60.compare(VectorOperators.LE, zero));
      c61 = c61.blend(zero, c61.compare(VectorOperators.LE, zero));
      c70 = c70.blend(zero, c70.compare(VectorOperators.LE, zero));
      c71 = c71.blend(zero, c71.compare(VectorOperators.LE, zero));
    }
    if (rows == Sgemm.MR && cols == NR) {
      c00.intoArray(c, co);
      c01.intoArray(c, co + L);
      c10.intoArray(c, co + ldc);
      c11.intoArray(c, co + ldc + L);
      c20.intoArray(c, co + 2 * ldc);
      c21.intoArray(c, co + 2 * ldc + L);
      c30.intoArray(c, co + 3 * ldc);
      c31.intoArray(c, co + 3 * ldc + L);
      c40.intoArray(c, co + 4 * ldc);
      c41.intoArray(c, co + 4 * ldc + L);
      c50.intoArray(c, co + 5 * ldc);
      c51.intoArray(c, co + 5 * ldc + L);
      c60.intoArray(c, co + 6 * ldc);
      c61.intoArray(c, co + 6 * ldc + L);
      c70.intoArray(c, co + 7 * ldc);
      c71.intoArray(c, co + 7 * ldc + L);
      return;
    }
    // an edge tile: unmasked stores into the caller's scratch tile t (at least MR x NR floats),
    // then the valid part copied
    c00.intoArray(t, 0);
    c01.intoArray(t, 0 + L);
    c10.intoArray(t, NR);
    c11.intoArray(t, NR + L);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + L);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + L);
    c40.intoArray(t, 4 * NR);
    c41.intoArray(t, 4 * NR + L);
    c50.intoArray(t, 5 * NR);
    c51.intoArray(t, 5 * NR + L);
    c60.intoArray(t, 6 * NR);
    c61.intoArray(t, 6 * NR + L);
    c70.intoArray(t, 7 * NR);
    c71.intoArray(t, 7 * NR + L);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * NR, c, co + r * ldc, cols);
    }
  }

  /**
   * As {@link #kernel8x2} for a last panel at most one vector wide (16 columns with AVX-512): 8
   * accumulators, one load of B per k. SqueezeNet's tails of 1, 7, 9 and 13 columns (55 x 55 row
   * chunks, 27 x 27 and 13 x 13 layers) paid for two vectors before.
   */
  static void kernel8x1(
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
    FloatVector v0 = FloatVector.fromArray(S, colInit, jo);
    FloatVector c0 = FloatVector.broadcast(S, rowInit[io]).add(v0);
    FloatVector c1 = FloatVector.broadcast(S, rowInit[io + 1]).add(v0);
    FloatVector c2 = FloatVector.broadcast(S, rowInit[io + 2]).add(v0);
    FloatVector c3 = FloatVector.broadcast(S, rowInit[io + 3]).add(v0);
    FloatVector c4 = FloatVector.broadcast(S, rowInit[io + 4]).add(v0);
    FloatVector c5 = FloatVector.broadcast(S, rowInit[io + 5]).add(v0);
    FloatVector c6 = FloatVector.broadcast(S, rowInit[io + 6]).add(v0);
    FloatVector c7 = FloatVector.broadcast(S, rowInit[io + 7]).add(v0);
    for (int kk = 0, ak = ao, bo = po; kk < k; kk++, ak += Sgemm.MR, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      c0 = FloatVector.broadcast(S, ap[ak]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, ap[ak + 1]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, ap[ak + 2]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, ap[ak + 3]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, ap[ak + 4]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, ap[ak + 5]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, ap[ak + 6]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, ap[ak + 7]).fma(b0, c7);
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
      FloatVector zero = FloatVector.zero(S);
      c0 = c0.blend(zero, c0.compare(VectorOperators.LE, zero));
      c1 = c1.blend(zero, c1.compare(VectorOperators.LE, zero));
      c2 = c2.blend(zero, c2.compare(VectorOperators.LE, zero));
      c3 = c3.blend(zero, c3.compare(VectorOperators.LE, zero));
      c4 = c4.blend(zero, c4.compare(VectorOperators.LE, zero));
      c5 = c5.blend(zero, c5.compare(VectorOperators.LE, zero));
      c6 = c6.blend(zero, c6.compare(VectorOperators.LE, zero));
      c7 = c7.blend(zero, c7.compare(VectorOperators.LE, zero));
    }
    if (rows == Sgemm.MR && cols == L) {
      c0.intoArray(c, co);
      c1.intoArray(c, co + ldc);
      c2.intoArray(c, co + 2 * ldc);
      c3.intoArray(c, co + 3 * ldc);
      c4.intoArray(c, co + 4 * ldc);
      c5.intoArray(c, co + 5 * ldc);
      c6.intoArray(c, co + 6 * ldc);
      c7.intoArray(c, co + 7 * ldc);
      return;
    }
    // an edge tile: unmasked stores into the caller's scratch tile t, then the valid part copied
    c0.intoArray(t, 0 * L);
    c1.intoArray(t, 1 * L);
    c2.intoArray(t, 2 * L);
    c3.intoArray(t, 3 * L);
    c4.intoArray(t, 4 * L);
    c5.intoArray(t, 5 * L);
    c6.intoArray(t, 6 * L);
    c7.intoArray(t, 7 * L);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * L, c, co + r * ldc, cols);
    }
  }
}
