package dev.octet.runtime.simd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Square blocks of floats transposed with vectors, one block side per vector: 16 x 16 with 16-lane
 * vectors (AVX-512), 8 x 8 with 8-lane vectors (AVX2). The 16-lane block takes four rounds of
 * pairwise interleaving, each round rotating the block's 8-bit (row, column) address by one bit, so
 * that four rounds swap row and column: 64 two-vector shuffles per 256 values, where a scalar copy
 * reads or writes with a stride for every value. The block stays in registers from its loads to its
 * stores, and each shuffle is one two-table permute ({@code selectFrom}): with {@code
 * rearrange(shuffle, vector)} and a scratch between rounds, a block took 1.35x as long
 * (SqueezeNet's stem, 64 channels x 55 positions per row). The 8-lane block is four 4 x 4 blocks in
 * 128-bit vectors ({@link #block4}). Callers copy what is left past whole blocks.
 */
public final class BlockTranspose {
  /** The block side, this CPU's float lanes; blocks are used only where {@link #ENABLED}. */
  public static final int B = Simd.F.length();

  /** Whether vectors have 16 or 8 lanes and SIMD is on. */
  public static final boolean ENABLED = Simd.ENABLED && (B == 16 || B == 8);

  private static final boolean WIDE = ENABLED && B == 16;

  /**
   * {@link #zip}(1, 0) and (1, 1) as the index vectors of {@code selectFrom} (16 on: b's lanes).
   */
  private static final FloatVector LO_INDEX = WIDE ? zipIndex(0) : null;

  private static final FloatVector HI_INDEX = WIDE ? zipIndex(1) : null;

  /**
   * 128-bit vectors: the 4 x 4 quarters of an 8 x 8 block, stored with {@code intoMemorySegment}
   * (see {@link Simd}: {@code intoArray}'s profile is shared with every kernel).
   */
  private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;

  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  /**
   * The steps of {@link #block4}'s 4 x 4 transpose in 128-bit vectors, for callers that transpose
   * values they hold in registers (a call would box them): lane i takes lane i + 2 (mod 4), lane i
   * - 1, lane i + 1.
   */
  public static final VectorShuffle<Float> SWAP_PAIRS = rotation(2);

  public static final VectorShuffle<Float> UP = rotation(-1);
  public static final VectorShuffle<Float> DOWN = rotation(1);

  /** Lanes 2 and 3; lanes 1 and 3 (of 128-bit vectors). */
  public static final VectorMask<Float> HIGH_PAIR = VectorMask.fromLong(Q, 0b1100);

  public static final VectorMask<Float> ODD = VectorMask.fromLong(Q, 0b1010);

  private BlockTranspose() {}

  /**
   * Lane i of {@code a.rearrange(zip(u, half), b)}: the units of u lanes of a and b alternate (a's
   * first unit, b's first unit, a's second, ...); half 0 gives the first L lanes of that sequence,
   * half 1 the next L (L: this CPU's float lanes). Indexes of L and above take from b.
   */
  static VectorShuffle<Float> zip(int u, int half) {
    return VectorShuffle.fromOp(
        Simd.F,
        i -> {
          int lanes = Simd.F.length();
          int p = i + lanes * half;
          int unit = p / (2 * u);
          int within = p % (2 * u);
          return within < u ? unit * u + within : lanes + unit * u + within - u;
        });
  }

  private static VectorShuffle<Float> rotation(int by) {
    return VectorShuffle.fromOp(Q, i -> Math.floorMod(i + by, 4));
  }

  private static FloatVector zipIndex(int half) {
    float[] index = new float[16];
    for (int i = 0; i < 16; i++) {
      int p = i + 16 * half;
      index[i] = p % 2 == 0 ? p / 2 : 16 + p / 2;
    }
    return FloatVector.fromArray(Simd.F, index, 0);
  }

  /**
   * dst[d + i * ds + j] = src[s + j * ss + i] for i, j < {@link #B} (row j of the source block
   * becomes column j of the destination block).
   */
  public static void block(float[] src, int s, int ss, float[] dst, int d, int ds) {
    if (WIDE) {
      block16(src, s, ss, dst, d, ds);
    } else {
      block8(src, s, ss, dst, d, ds);
    }
  }

  /** The four 4 x 4 quarters of an 8 x 8 block, each to its mirrored place. */
  private static void block8(float[] src, int s, int ss, float[] dst, int d, int ds) {
    block4(src, s, ss, dst, d, ds);
    block4(src, s + 4, ss, dst, d + 4 * ds, ds);
    block4(src, s + 4 * ss, ss, dst, d + 4, ds);
    block4(src, s + 4 * ss + 4, ss, dst, d + 4 * ds + 4, ds);
  }

  /**
   * dst[d + i * ds + j] = src[s + j * ss + i] for i, j < 4: {@link #block} for a 4 x 4 block, with
   * any vector width (the block is in 128-bit vectors).
   */
  public static void block4x4(float[] src, int s, int ss, float[] dst, int d, int ds) {
    block4(src, s, ss, dst, d, ds);
  }

  /**
   * A 4 x 4 block in 128-bit vectors: rows (0, 2) and (1, 3) exchange their second pairs of lanes,
   * then rows (0, 1) and (2, 3) their odd and even lanes, each exchange one in-lane permute ({@code
   * vpermilps}) and one blend per vector. The 256-bit rounds of the 16-lane block need cross-lane
   * permutes, three per vector, and {@code vpermps} takes 4 cycles on Zen 1: 0.77 floats per ns
   * against 1.47 here (an 8 x 8 block as four of these, in a loop alone).
   */
  private static void block4(float[] src, int s, int ss, float[] dst, int d, int ds) {
    var q = Q;
    FloatVector x0 = FloatVector.fromArray(q, src, s);
    FloatVector x1 = FloatVector.fromArray(q, src, s + ss);
    FloatVector x2 = FloatVector.fromArray(q, src, s + 2 * ss);
    FloatVector x3 = FloatVector.fromArray(q, src, s + 3 * ss);
    FloatVector y0 = x0.blend(x2.rearrange(SWAP_PAIRS), HIGH_PAIR);
    FloatVector y2 = x0.rearrange(SWAP_PAIRS).blend(x2, HIGH_PAIR);
    FloatVector y1 = x1.blend(x3.rearrange(SWAP_PAIRS), HIGH_PAIR);
    FloatVector y3 = x1.rearrange(SWAP_PAIRS).blend(x3, HIGH_PAIR);
    MemorySegment to = MemorySegment.ofArray(dst);
    y0.blend(y1.rearrange(UP), ODD).intoMemorySegment(to, 4L * d, NATIVE);
    y0.rearrange(DOWN).blend(y1, ODD).intoMemorySegment(to, 4L * (d + ds), NATIVE);
    y2.blend(y3.rearrange(UP), ODD).intoMemorySegment(to, 4L * (d + 2 * ds), NATIVE);
    y2.rearrange(DOWN).blend(y3, ODD).intoMemorySegment(to, 4L * (d + 3 * ds), NATIVE);
  }

  /** Round r pairs vectors i and i + 8 into 2i and 2i + 1. */
  private static void block16(float[] src, int s, int ss, float[] dst, int d, int ds) {
    var f = Simd.F;
    FloatVector v0 = FloatVector.fromArray(f, src, s + 0 * ss);
    FloatVector v1 = FloatVector.fromArray(f, src, s + 1 * ss);
    FloatVector v2 = FloatVector.fromArray(f, src, s + 2 * ss);
    FloatVector v3 = FloatVector.fromArray(f, src, s + 3 * ss);
    FloatVector v4 = FloatVector.fromArray(f, src, s + 4 * ss);
    FloatVector v5 = FloatVector.fromArray(f, src, s + 5 * ss);
    FloatVector v6 = FloatVector.fromArray(f, src, s + 6 * ss);
    FloatVector v7 = FloatVector.fromArray(f, src, s + 7 * ss);
    FloatVector v8 = FloatVector.fromArray(f, src, s + 8 * ss);
    FloatVector v9 = FloatVector.fromArray(f, src, s + 9 * ss);
    FloatVector v10 = FloatVector.fromArray(f, src, s + 10 * ss);
    FloatVector v11 = FloatVector.fromArray(f, src, s + 11 * ss);
    FloatVector v12 = FloatVector.fromArray(f, src, s + 12 * ss);
    FloatVector v13 = FloatVector.fromArray(f, src, s + 13 * ss);
    FloatVector v14 = FloatVector.fromArray(f, src, s + 14 * ss);
    FloatVector v15 = FloatVector.fromArray(f, src, s + 15 * ss);
    FloatVector a0 = LO_INDEX.selectFrom(v0, v8);
    FloatVector a1 = HI_INDEX.selectFrom(v0, v8);
    FloatVector a2 = LO_INDEX.selectFrom(v1, v9);
    FloatVector a3 = HI_INDEX.selectFrom(v1, v9);
    FloatVector a4 = LO_INDEX.selectFrom(v2, v10);
    FloatVector a5 = HI_INDEX.selectFrom(v2, v10);
    FloatVector a6 = LO_INDEX.selectFrom(v3, v11);
    FloatVector a7 = HI_INDEX.selectFrom(v3, v11);
    FloatVector a8 = LO_INDEX.selectFrom(v4, v12);
    FloatVector a9 = HI_INDEX.selectFrom(v4, v12);
    FloatVector a10 = LO_INDEX.selectFrom(v5, v13);
    FloatVector a11 = HI_INDEX.selectFrom(v5, v13);
    FloatVector a12 = LO_INDEX.selectFrom(v6, v14);
    FloatVector a13 = HI_INDEX.selectFrom(v6, v14);
    FloatVector a14 = LO_INDEX.selectFrom(v7, v15);
    FloatVector a15 = HI_INDEX.selectFrom(v7, v15);
    FloatVector b0 = LO_INDEX.selectFrom(a0, a8);
    FloatVector b1 = HI_INDEX.selectFrom(a0, a8);
    FloatVector b2 = LO_INDEX.selectFrom(a1, a9);
    FloatVector b3 = HI_INDEX.selectFrom(a1, a9);
    FloatVector b4 = LO_INDEX.selectFrom(a2, a10);
    FloatVector b5 = HI_INDEX.selectFrom(a2, a10);
    FloatVector b6 = LO_INDEX.selectFrom(a3, a11);
    FloatVector b7 = HI_INDEX.selectFrom(a3, a11);
    FloatVector b8 = LO_INDEX.selectFrom(a4, a12);
    FloatVector b9 = HI_INDEX.selectFrom(a4, a12);
    FloatVector b10 = LO_INDEX.selectFrom(a5, a13);
    FloatVector b11 = HI_INDEX.selectFrom(a5, a13);
    FloatVector b12 = LO_INDEX.selectFrom(a6, a14);
    FloatVector b13 = HI_INDEX.selectFrom(a6, a14);
    FloatVector b14 = LO_INDEX.selectFrom(a7, a15);
    FloatVector b15 = HI_INDEX.selectFrom(a7, a15);
    FloatVector c0 = LO_INDEX.selectFrom(b0, b8);
    FloatVector c1 = HI_INDEX.selectFrom(b0, b8);
    FloatVector c2 = LO_INDEX.selectFrom(b1, b9);
    FloatVector c3 = HI_INDEX.selectFrom(b1, b9);
    FloatVector c4 = LO_INDEX.selectFrom(b2, b10);
    FloatVector c5 = HI_INDEX.selectFrom(b2, b10);
    FloatVector c6 = LO_INDEX.selectFrom(b3, b11);
    FloatVector c7 = HI_INDEX.selectFrom(b3, b11);
    FloatVector c8 = LO_INDEX.selectFrom(b4, b12);
    FloatVector c9 = HI_INDEX.selectFrom(b4, b12);
    FloatVector c10 = LO_INDEX.selectFrom(b5, b13);
    FloatVector c11 = HI_INDEX.selectFrom(b5, b13);
    FloatVector c12 = LO_INDEX.selectFrom(b6, b14);
    FloatVector c13 = HI_INDEX.selectFrom(b6, b14);
    FloatVector c14 = LO_INDEX.selectFrom(b7, b15);
    FloatVector c15 = HI_INDEX.selectFrom(b7, b15);
    FloatVector d0 = LO_INDEX.selectFrom(c0, c8);
    FloatVector d1 = HI_INDEX.selectFrom(c0, c8);
    FloatVector d2 = LO_INDEX.selectFrom(c1, c9);
    FloatVector d3 = HI_INDEX.selectFrom(c1, c9);
    FloatVector d4 = LO_INDEX.selectFrom(c2, c10);
    FloatVector d5 = HI_INDEX.selectFrom(c2, c10);
    FloatVector d6 = LO_INDEX.selectFrom(c3, c11);
    FloatVector d7 = HI_INDEX.selectFrom(c3, c11);
    FloatVector d8 = LO_INDEX.selectFrom(c4, c12);
    FloatVector d9 = HI_INDEX.selectFrom(c4, c12);
    FloatVector d10 = LO_INDEX.selectFrom(c5, c13);
    FloatVector d11 = HI_INDEX.selectFrom(c5, c13);
    FloatVector d12 = LO_INDEX.selectFrom(c6, c14);
    FloatVector d13 = HI_INDEX.selectFrom(c6, c14);
    FloatVector d14 = LO_INDEX.selectFrom(c7, c15);
    FloatVector d15 = HI_INDEX.selectFrom(c7, c15);
    d0.intoArray(dst, d + 0 * ds);
    d1.intoArray(dst, d + 1 * ds);
    d2.intoArray(dst, d + 2 * ds);
    d3.intoArray(dst, d + 3 * ds);
    d4.intoArray(dst, d + 4 * ds);
    d5.intoArray(dst, d + 5 * ds);
    d6.intoArray(dst, d + 6 * ds);
    d7.intoArray(dst, d + 7 * ds);
    d8.intoArray(dst, d + 8 * ds);
    d9.intoArray(dst, d + 9 * ds);
    d10.intoArray(dst, d + 10 * ds);
    d11.intoArray(dst, d + 11 * ds);
    d12.intoArray(dst, d + 12 * ds);
    d13.intoArray(dst, d + 13 * ds);
    d14.intoArray(dst, d + 14 * ds);
    d15.intoArray(dst, d + 15 * ds);
  }
}
