package dev.octet.runtime.ops.shape;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import java.util.Arrays;

/** Transpose by perm (default: reverse the dimensions). */
public final class TransposeKernel implements Kernel {
  private final long[] perm;

  public TransposeKernel(OpContext op) {
    this.perm = op.attrs().getInts("perm");
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor x = in[0];
    int r = x.rank();
    int[] p = new int[r];
    boolean[] seen = new boolean[r];
    for (int i = 0; i < r; i++) {
      p[i] = perm == null ? r - 1 - i : (int) perm[i];
      if (perm != null && (perm.length != r || p[i] < 0 || p[i] >= r || seen[p[i]])) {
        throw new OctetException(
            "perm " + Arrays.toString(perm) + " is not a permutation of rank " + r);
      }
      seen[p[i]] = true;
    }
    int[] s = x.shape();
    int[] st = Shapes.strides(s);
    int[] out = new int[r];
    int[] strides = new int[r];
    for (int i = 0; i < r; i++) {
      out[i] = s[p[i]];
      strides[i] = st[p[i]];
    }
    return new Tensor[] {Movement.gather(x, Movement.strided(out, strides, 0), out)};
  }
}
