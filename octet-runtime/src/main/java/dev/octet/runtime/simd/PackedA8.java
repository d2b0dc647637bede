package dev.octet.runtime.simd;

/**
 * An 8-bit left-hand matrix A[M][K] for {@link Igemm} (convolution weights), packed like {@link
 * PackedA} (panels of {@link Sgemm#MR} rows, k-major, zero past M) with one byte per value, stored
 * signed: uint8 values are shifted by -128 ({@link #offset} = 128).
 */
public final class PackedA8 {
  final byte[] data;
  final int m;
  final int k;
  final int offset;

  private PackedA8(byte[] data, int m, int k, int offset) {
    this.data = data;
    this.m = m;
    this.k = k;
    this.offset = offset;
  }

  /** Packs A[i][kk] = a[off + i*lda + kk]; {@code unsigned}: the bytes are uint8. */
  public static PackedA8 pack(byte[] a, int off, int lda, int m, int k, boolean unsigned) {
    int mr = Sgemm.MR;
    int panels = (m + mr - 1) / mr;
    byte[] data = new byte[Math.multiplyExact(panels, Math.multiplyExact(k, mr))];
    int flip = unsigned ? 0x80 : 0;
    for (int i = 0; i < m; i++) {
      int base = (i / mr) * k * mr + i % mr;
      for (int kk = 0; kk < k; kk++) {
        data[base + kk * mr] = (byte) (a[off + i * lda + kk] ^ flip);
      }
    }
    return new PackedA8(data, m, k, unsigned ? 128 : 0);
  }

  public int m() {
    return m;
  }

  public int k() {
    return k;
  }

  /** What was subtracted from every stored value: 128 for uint8 A, 0 for int8. */
  public int offset() {
    return offset;
  }

  /** The stored (signed) value of A[i][kk]. */
  public int get(int i, int kk) {
    return data[(i / Sgemm.MR) * k * Sgemm.MR + kk * Sgemm.MR + i % Sgemm.MR];
  }

  /** Bytes held, for memory accounting. */
  public long bytes() {
    return data.length;
  }
}
