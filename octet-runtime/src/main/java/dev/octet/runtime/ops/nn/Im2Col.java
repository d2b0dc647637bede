package dev.octet.runtime.ops.nn;

/**
 * Lays out convolution patches as a matrix col[C*prod(kernel)][prod(out)]: row (c, kernel offset),
 * column (output position); out-of-bounds (padding) reads are 0. N spatial dimensions.
 */
final class Im2Col {
  private Im2Col() {}

  static void fill(float[] x, int xOff, int channels, int[] in, ConvGeometry g, float[] col) {
    int n = in.length;
    int kSize = g.kernelSize();
    int outSize = g.outSize();
    int inSize = 1;
    for (int v : in) {
      inSize *= v;
    }
    int[] kIdx = new int[n];
    int[] oIdx = new int[n];
    int[] inStrides = new int[n];
    for (int i = n - 1, acc = 1; i >= 0; i--) {
      inStrides[i] = acc;
      acc *= in[i];
    }
    int last = n - 1;
    int outLast = g.out()[last];
    for (int c = 0; c < channels; c++) {
      int cBase = xOff + c * inSize;
      java.util.Arrays.fill(kIdx, 0);
      for (int kk = 0; kk < kSize; kk++) {
        int row = (c * kSize + kk) * outSize;
        java.util.Arrays.fill(oIdx, 0);
        for (int o = 0; o < outSize; o += outLast) {
          // offset of all but the last dimension; -1 when out of bounds
          int base = cBase;
          boolean inside = true;
          for (int d = 0; d < last; d++) {
            int pos = oIdx[d] * g.strides()[d] - g.padBegin()[d] + kIdx[d] * g.dilations()[d];
            if (pos < 0 || pos >= in[d]) {
              inside = false;
              break;
            }
            base += pos * inStrides[d];
          }
          int s = g.strides()[last];
          int start = kIdx[last] * g.dilations()[last] - g.padBegin()[last];
          for (int ol = 0; ol < outLast; ol++) {
            int pos = start + ol * s;
            col[row + o + ol] = inside && pos >= 0 && pos < in[last] ? x[base + pos] : 0f;
          }
          for (int d = last - 1; d >= 0 && ++oIdx[d] == g.out()[d]; d--) {
            oIdx[d] = 0;
          }
        }
        for (int d = n - 1; d >= 0 && ++kIdx[d] == g.kernel()[d]; d--) {
          kIdx[d] = 0;
        }
      }
    }
  }
}
