package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernels for CPUs with 16 vector registers (AVX2), where {@link Sgemm#NR} is two
 * vectors: a 4 x 2L tile in 8 accumulators, half of an 8-row A panel ({@code ao} points at the
 * first of the four rows; k steps stay {@link Sgemm#MR} apart), so that a panel is two calls. With
 * 16 registers the 8 x 3L tile of {@link Sgemm#kernel8} spills its 24 accumulators on every k step
 * (SqueezeNet's conv10 on a Zen 1 EPYC: 9.7 GFLOP/s), and so does a 4 x 3L tile: C2 loads the four
 * broadcasts before the FMAs, 19 live vectors (20.6 GFLOP/s); this one needs 14 (30-40 GFLOP/s, the
 * FMA peak is 40). Same arguments and the same arithmetic per element as kernel8: {@link #kernel4}
 * with B's rows {@code ldb} apart, {@link #kernel4Rows} with rows at {@code koff} (as {@link
 * SgemmRows}).
 */
final class SgemmHalf {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();
  private static final FloatVector ONE = Simd.ONE;

  private static final int MR = Sgemm.MR;
  private static final int NR = Sgemm.NR;

  /** Rows of this kernel's tile. */
  static final int HR = MR / 2;

  private SgemmHalf() {}

  static void kernel4(
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
    FloatVector x0 = FloatVector.broadcast(S, rowInit[io]);
    FloatVector c00 = x0.add(v0), c01 = x0.add(v1);
    x0 = FloatVector.broadcast(S, rowInit[io + 1]);
    FloatVector c10 = x0.add(v0), c11 = x0.add(v1);
    x0 = FloatVector.broadcast(S, rowInit[io + 2]);
    FloatVector c20 = x0.add(v0), c21 = x0.add(v1);
    x0 = FloatVector.broadcast(S, rowInit[io + 3]);
    FloatVector c30 = x0.add(v0), c31 = x0.add(v1);
    for (int kk = 0, ak = ao, bo = po; kk < k; kk++, ak += MR, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + L);
      FloatVector x = FloatVector.broadcast(S, ap[ak]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, ap[ak + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, ap[ak + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, ap[ak + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    // the accumulators retyped (1 * c is c, bit for bit): as loop phis they are typed FloatVector
    // when C2 parses the Relu and the stores, which then go through FloatVector's type profiles,
    // shared with every vector in the JVM; a profile that has seen another shape makes C2 box
    // them in the loop (see Simd). ONE is a constant of the exact class. Same time per call
    // (0.97-1.00 for k = 16, 48, 256, BENCHMARKS.md session 32)
    c00 = ONE.mul(c00);
    c01 = ONE.mul(c01);
    c10 = ONE.mul(c10);
    c11 = ONE.mul(c11);
    c20 = ONE.mul(c20);
    c21 = ONE.mul(c21);
    c30 = ONE.mul(c30);
    c31 = ONE.mul(c31);
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
    }
    if (rows == HR && cols == NR) {
      c00.intoArray(c, co);
      c01.intoArray(c, co + L);
      c10.intoArray(c, co + ldc);
      c11.intoArray(c, co + ldc + L);
      c20.intoArray(c, co + 2 * ldc);
      c21.intoArray(c, co + 2 * ldc + L);
      c30.intoArray(c, co + 3 * ldc);
      c31.intoArray(c, co + 3 * ldc + L);
      return;
    }
    c00.intoArray(t, 0);
    c01.intoArray(t, L);
    c10.intoArray(t, NR);
    c11.intoArray(t, NR + L);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + L);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + L);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * NR, c, co + r * ldc, cols);
    }
  }

  static void kernel4Rows(
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
    FloatVector v0 = FloatVector.fromArray(S, colInit, jo);
    FloatVector v1 = FloatVector.fromArray(S, colInit, jo + L);
    FloatVector x0 = FloatVector.broadcast(S, rowInit[io]);
    FloatVector c00 = x0.add(v0), c01 = x0.add(v1);
    x0 = FloatVector.broadcast(S, rowInit[io + 1]);
    FloatVector c10 = x0.add(v0), c11 = x0.add(v1);
    x0 = FloatVector.broadcast(S, rowInit[io + 2]);
    FloatVector c20 = x0.add(v0), c21 = x0.add(v1);
    x0 = FloatVector.broadcast(S, rowInit[io + 3]);
    FloatVector c30 = x0.add(v0), c31 = x0.add(v1);
    for (int kk = 0, ak = ao; kk < k; kk++, ak += MR) {
      int bo = po + koff[kk];
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + L);
      FloatVector x = FloatVector.broadcast(S, ap[ak]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, ap[ak + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, ap[ak + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, ap[ak + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    // retyped as in kernel4
    c00 = ONE.mul(c00);
    c01 = ONE.mul(c01);
    c10 = ONE.mul(c10);
    c11 = ONE.mul(c11);
    c20 = ONE.mul(c20);
    c21 = ONE.mul(c21);
    c30 = ONE.mul(c30);
    c31 = ONE.mul(c31);
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
    }
    if (rows == HR && cols == NR) {
      c00.intoArray(c, co);
      c01.intoArray(c, co + L);
      c10.intoArray(c, co + ldc);
      c11.intoArray(c, co + ldc + L);
      c20.intoArray(c, co + 2 * ldc);
      c21.intoArray(c, co + 2 * ldc + L);
      c30.intoArray(c, co + 3 * ldc);
      c31.intoArray(c, co + 3 * ldc + L);
      return;
    }
    c00.intoArray(t, 0);
    c01.intoArray(t, L);
    c10.intoArray(t, NR);
    c11.intoArray(t, NR + L);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + L);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + L);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * NR, c, co + r * ldc, cols);
    }
  }
}
