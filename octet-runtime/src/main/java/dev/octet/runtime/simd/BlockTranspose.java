package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * 16 x 16 blocks of floats transposed with vectors (16-lane, AVX-512): four rounds of pairwise
 * interleaving, each round rotating the block's 8-bit (row, column) address by one bit, so that
 * four rounds swap row and column. 64 two-vector shuffles per 256 values, where a scalar copy reads
 * or writes with a stride for every value. Callers copy what is left past whole blocks.
 */
public final class BlockTranspose {
  /** The block side; blocks are used only where {@link #ENABLED}. */
  public static final int B = 16;

  /** Whether vectors have 16 lanes and SIMD is on. */
  public static final boolean ENABLED = Simd.ENABLED && Simd.F.length() == B;

  private static final VectorShuffle<Float> LO = ENABLED ? zip(1, 0) : null;
  private static final VectorShuffle<Float> HI = ENABLED ? zip(1, 1) : null;

  private BlockTranspose() {}

  /**
   * Lane i of {@code a.rearrange(zip(u, half), b)}: the units of u lanes of a and b alternate (a's
   * first unit, b's first unit, a's second, ...); half 0 gives the first 16 lanes of that sequence,
   * half 1 the next 16. Indexes of 16 and above take from b.
   */
  static VectorShuffle<Float> zip(int u, int half) {
    return VectorShuffle.fromOp(
        Simd.F,
        i -> {
          int p = i + 16 * half;
          int unit = p / (2 * u);
          int within = p % (2 * u);
          return within < u ? unit * u + within : 16 + unit * u + within - u;
        });
  }

  private static final ThreadLocal<float[]> SCRATCH =
      ThreadLocal.withInitial(() -> new float[2 * B * B]);

  /**
   * The calling thread's scratch for {@link #block} (packing B transposed ran once per attention
   * head: a fresh array each time was 1 MB of garbage per MiniLM batch-8 run).
   */
  public static float[] scratch() {
    return SCRATCH.get();
  }

  /**
   * dst[d + i * ds + j] = src[s + j * ss + i] for i, j < 16 (row j of the source block becomes
   * column j of the destination block); {@code t} from {@link #scratch()}.
   */
  public static void block(float[] src, int s, int ss, float[] dst, int d, int ds, float[] t) {
    var f = Simd.F;
    for (int i = 0; i < B / 2; i++) {
      FloatVector a = FloatVector.fromArray(f, src, s + i * ss);
      FloatVector b = FloatVector.fromArray(f, src, s + (i + B / 2) * ss);
      a.rearrange(LO, b).intoArray(t, 2 * i * B);
      a.rearrange(HI, b).intoArray(t, (2 * i + 1) * B);
    }
    round(t, 0, t, B * B);
    round(t, B * B, t, 0);
    for (int i = 0; i < B / 2; i++) {
      FloatVector a = FloatVector.fromArray(f, t, i * B);
      FloatVector b = FloatVector.fromArray(f, t, (i + B / 2) * B);
      a.rearrange(LO, b).intoArray(dst, d + 2 * i * ds);
      a.rearrange(HI, b).intoArray(dst, d + (2 * i + 1) * ds);
    }
  }

  private static void round(float[] from, int fo, float[] to, int to0) {
    var f = Simd.F;
    for (int i = 0; i < B / 2; i++) {
      FloatVector a = FloatVector.fromArray(f, from, fo + i * B);
      FloatVector b = FloatVector.fromArray(f, from, fo + (i + B / 2) * B);
      a.rearrange(LO, b).intoArray(to, to0 + 2 * i * B);
      a.rearrange(HI, b).intoArray(to, to0 + (2 * i + 1) * B);
    }
  }
}
