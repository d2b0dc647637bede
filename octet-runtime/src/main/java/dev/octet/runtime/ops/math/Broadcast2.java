package dev.octet.runtime.ops.math;

import dev.octet.runtime.ops.Shapes;

/**
 * Index mapping for a two-input broadcast. Adjacent dimensions that broadcast alike are merged, so
 * that the innermost "row" is as long as possible; each row is contiguous (stride 1) or broadcast
 * (stride 0) in each input.
 */
final class Broadcast2 {
  /** Callback per output element. */
  @FunctionalInterface
  interface ElementBody {
    void accept(int out, int ia, int ib);
  }

  private final int[] dims;
  private final int[] sa;
  private final int[] sb;
  private final int size;

  Broadcast2(int[] a, int[] b, int[] out) {
    int[] fa = Shapes.broadcastStrides(a, out);
    int[] fb = Shapes.broadcastStrides(b, out);
    // merge dims from the inside out when both inputs keep their stride pattern across the boundary
    int r = out.length;
    int[] d = new int[Math.max(r, 1)];
    int[] xa = new int[Math.max(r, 1)];
    int[] xb = new int[Math.max(r, 1)];
    int k = 0;
    for (int i = r - 1; i >= 0; i--) {
      if (out[i] == 1) {
        continue;
      }
      if (k > 0 && canMerge(xa[k - 1], d[k - 1], fa[i]) && canMerge(xb[k - 1], d[k - 1], fb[i])) {
        d[k - 1] *= out[i];
        continue;
      }
      d[k] = out[i];
      xa[k] = fa[i];
      xb[k] = fb[i];
      k++;
    }
    if (k == 0) {
      k = 1;
      d[0] = 1;
      xa[0] = 0;
      xb[0] = 0;
    }
    // reverse into outer-to-inner order
    dims = new int[k];
    sa = new int[k];
    sb = new int[k];
    for (int i = 0; i < k; i++) {
      dims[i] = d[k - 1 - i];
      sa[i] = xa[k - 1 - i];
      sb[i] = xb[k - 1 - i];
    }
    int s = 1;
    for (int v : out) {
      s *= v;
    }
    size = s;
  }

  /**
   * An outer dim with stride {@code outer} continues an inner run (stride {@code inner}, length n).
   */
  private static boolean canMerge(int inner, int n, int outer) {
    return (inner == 0 && outer == 0) || (inner != 0 && outer == inner * n);
  }

  int size() {
    return size;
  }

  int rowLength() {
    return dims[dims.length - 1];
  }

  int rows() {
    return size == 0 ? 0 : size / rowLength();
  }

  /** Stride of the innermost (row) dimension in A: 0 or 1 after merging (or a larger value). */
  int rowStrideA() {
    return sa[sa.length - 1];
  }

  int rowStrideB() {
    return sb[sb.length - 1];
  }

  int offsetA(int row) {
    return offset(row, sa);
  }

  int offsetB(int row) {
    return offset(row, sb);
  }

  private int offset(int row, int[] strides) {
    int off = 0;
    for (int i = dims.length - 2; i >= 0; i--) {
      int idx = row % dims[i];
      row /= dims[i];
      off += idx * strides[i];
    }
    return off;
  }

  void forEach(ElementBody body) {
    int row = rowLength();
    int as = rowStrideA();
    int bs = rowStrideB();
    for (int r = 0, rows = rows(); r < rows; r++) {
      int oa = offsetA(r);
      int ob = offsetB(r);
      for (int i = 0; i < row; i++) {
        body.accept(r * row + i, oa + i * as, ob + i * bs);
      }
    }
  }
}
