package dev.octet.runtime.ops.nn;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;
import java.util.Arrays;

/**
 * ConvTranspose: per image and group, col[M/g * prod(k)][P_in] = W_g^T x X_g on the SGEMM, then
 * col2im scatters (adds) each column into the output. Output size from output_shape, or from
 * strides, pads, dilations and output_padding.
 */
public final class ConvTransposeKernel implements Kernel {
  private final OpContext op;

  public ConvTransposeKernel(OpContext op) {
    this.op = op;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    Tensor w = in[1];
    Tensor b = in.length > 2 ? in[2] : null;
    if (x.dtype() != DType.FLOAT) {
      throw new OctetException("ConvTranspose supports float32 only");
    }
    int groups = (int) op.attrs().getInt("group", 1);
    int batch = x.dim(0);
    int c = x.dim(1);
    int mg = w.dim(1);
    int m = mg * groups;
    int cg = c / groups;
    if (w.dim(0) != c || c % groups != 0) {
      throw new OctetException(
          "W " + Arrays.toString(w.shape()) + " does not fit X " + Arrays.toString(x.shape()));
    }
    int nsp = x.rank() - 2;
    int[] spatial = Arrays.copyOfRange(x.shape(), 2, x.rank());
    int[] k = Arrays.copyOfRange(w.shape(), 2, w.rank());
    int[] s = attr("strides", nsp, 1);
    int[] d = attr("dilations", nsp, 1);
    int[] outPad = attr("output_padding", nsp, 0);
    long[] pads = op.attrs().getInts("pads");
    long[] outShapeAttr = op.attrs().getInts("output_shape");
    String autoPad = op.attrs().getString("auto_pad", "NOTSET");
    int[] pb = new int[nsp];
    int[] out = new int[nsp];
    for (int i = 0; i < nsp; i++) {
      int full = s[i] * (spatial[i] - 1) + outPad[i] + (k[i] - 1) * d[i] + 1;
      if (outShapeAttr != null) {
        out[i] = (int) outShapeAttr[outShapeAttr.length - nsp + i];
        int total = Math.max(0, full - out[i]);
        pb[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
      } else if (autoPad.startsWith("SAME")) {
        out[i] = spatial[i] * s[i];
        int total = Math.max(0, full - out[i]);
        pb[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
      } else {
        pb[i] = pads == null ? 0 : (int) pads[i];
        int pe = pads == null ? 0 : (int) pads[i + nsp];
        out[i] = full - pb[i] - pe;
      }
    }
    int inSize = Arrays.stream(spatial).reduce(1, (p, q) -> p * q);
    int outSize = Arrays.stream(out).reduce(1, (p, q) -> p * q);
    int kSize = Arrays.stream(k).reduce(1, (p, q) -> p * q);
    int rows = mg * kSize;
    float[] xv = x.floats();
    float[] wv = w.floats();
    float[] y = new float[batch * m * outSize];
    float[] col = new float[rows * inSize];
    // W_g is [cg][mg * kSize]; its transpose is the A operand, rows = (m, kernel offset)
    float[][] wT = new float[groups][];
    for (int gi = 0; gi < groups; gi++) {
      wT[gi] = new float[rows * cg];
      for (int ci = 0; ci < cg; ci++) {
        for (int r = 0; r < rows; r++) {
          wT[gi][r * cg + ci] = wv[(gi * cg + ci) * rows + r];
        }
      }
    }
    int[] kIdx = new int[nsp];
    int[] iIdx = new int[nsp];
    for (int n = 0; n < batch; n++) {
      for (int gi = 0; gi < groups; gi++) {
        PackedB packed = PackedB.pack(xv, (n * c + gi * cg) * inSize, inSize, cg, inSize, false);
        Sgemm.multiply(wT[gi], 0, cg, rows, packed, col, 0, inSize, ctx);
        for (int r = 0; r < rows; r++) {
          int mo = r / kSize;
          int kk = r % kSize;
          for (int i = nsp - 1, t = kk; i >= 0; i--) {
            kIdx[i] = t % k[i];
            t /= k[i];
          }
          int yBase = (n * m + gi * mg + mo) * outSize;
          Arrays.fill(iIdx, 0);
          for (int p = 0; p < inSize; p++) {
            int off = 0;
            boolean inside = true;
            for (int i = 0; i < nsp; i++) {
              int pos = iIdx[i] * s[i] - pb[i] + kIdx[i] * d[i];
              if (pos < 0 || pos >= out[i]) {
                inside = false;
                break;
              }
              off = off * out[i] + pos;
            }
            if (inside) {
              y[yBase + off] += col[r * inSize + p];
            }
            for (int i = nsp - 1; i >= 0 && ++iIdx[i] == spatial[i]; i--) {
              iIdx[i] = 0;
            }
          }
        }
      }
    }
    if (b != null) {
      float[] bias = b.floats();
      for (int n = 0; n < batch; n++) {
        for (int o = 0; o < m; o++) {
          for (int i = 0; i < outSize; i++) {
            y[(n * m + o) * outSize + i] += bias[o];
          }
        }
      }
    }
    int[] shape = new int[x.rank()];
    shape[0] = batch;
    shape[1] = m;
    System.arraycopy(out, 0, shape, 2, nsp);
    return new Tensor[] {Tensor.wrap(y, shape)};
  }

  private int[] attr(String name, int n, int dflt) {
    long[] v = op.attrs().getInts(name);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = v == null ? dflt : (int) v[i];
    }
    return out;
  }
}
