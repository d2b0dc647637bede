package dev.octet.runtime.simd;

/**
 * An 8-bit right-hand matrix B[K][N] for {@link Igemm}, packed like {@link PackedB} (K-major panels
 * of {@link Sgemm#NR} columns, zero past N) but one byte per value: a quarter of the float panels'
 * memory. Values are stored signed: uint8 weights are shifted by -128 ({@link #offset} = 128) so
 * that one byte-to-float conversion serves both types; the caller subtracts the offset from the
 * zero points.
 */
public final class PackedB8 {
  final byte[] data;
  final int k;
  final int n;
  final int panels;
  final int offset;

  private PackedB8(byte[] data, int k, int n, int panels, int offset) {
    this.data = data;
    this.k = k;
    this.n = n;
    this.panels = panels;
    this.offset = offset;
  }

  /**
   * Packs B. With {@code transposed} false, B[k][j] = b[off + k*ld + j]; with true, B[k][j] = b[off
   * + j*ld + k]. {@code unsigned}: the bytes are uint8.
   */
  public static PackedB8 pack(
      byte[] b, int off, int ld, int k, int n, boolean transposed, boolean unsigned) {
    int nr = Sgemm.NR;
    int panels = (n + nr - 1) / nr;
    byte[] data = new byte[Math.multiplyExact(panels, Math.multiplyExact(k, nr))];
    int flip = unsigned ? 0x80 : 0;
    for (int p = 0; p < panels; p++) {
      int j0 = p * nr;
      int cols = Math.min(nr, n - j0);
      int base = p * k * nr;
      for (int kk = 0; kk < k; kk++) {
        for (int j = 0; j < cols; j++) {
          int src = transposed ? off + (j0 + j) * ld + kk : off + kk * ld + j0 + j;
          // uint8 v stored as v - 128: flipping the top bit of the byte does exactly that
          data[base + kk * nr + j] = (byte) (b[src] ^ flip);
        }
      }
    }
    return new PackedB8(data, k, n, panels, unsigned ? 128 : 0);
  }

  public int k() {
    return k;
  }

  public int n() {
    return n;
  }

  /** What was subtracted from every stored value: 128 for uint8 B, 0 for int8. */
  public int offset() {
    return offset;
  }

  /** The stored (signed) value of B[kk][j]. */
  public int get(int kk, int j) {
    return data[(j / Sgemm.NR) * k * Sgemm.NR + kk * Sgemm.NR + j % Sgemm.NR];
  }

  /** Bytes held, for memory accounting. */
  public long bytes() {
    return data.length;
  }
}
