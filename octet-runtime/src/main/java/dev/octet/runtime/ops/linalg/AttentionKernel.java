package dev.octet.runtime.ops.linalg;

import dev.octet.core.DType;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.fusion.Fusions;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.ops.nn.MaskedSoftmaxKernel;
import dev.octet.runtime.simd.PackedB;
import dev.octet.runtime.simd.Sgemm;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * com.octet.Attention(Q, K, V, mask): softmax(Q' K' / divisor + mask) V', the product Transposed by
 * perm_y, where Q' = Transpose(Q, perm_q) and so on (each perm optional; see {@code
 * fusion.AttentionFusion}). Per batch and head, the scores go into a buffer of seq x seq floats
 * that stays in cache: the GEMM writes them, each row is scaled, masked and normalised as {@link
 * MaskedSoftmaxKernel} does, and the second GEMM reads them back as its A. Results equal the three
 * ops' (same GEMMs, same row arithmetic). Shapes the strided form cannot take run the three ops one
 * after the other.
 */
public final class AttentionKernel implements Kernel {
  private final int[] permQ;
  private final int[] permK;
  private final int[] permV;
  private final int[] permY;
  private final float scale;
  private final TransposedMatMulKernel scores;
  private final MaskedSoftmaxKernel softmax;
  private final TransposedMatMulKernel context;

  public AttentionKernel(OpContext op) {
    Attributes a = op.attrs();
    this.permQ = StridedViews.perm(a, "perm_q");
    this.permK = StridedViews.perm(a, "perm_k");
    this.permV = StridedViews.perm(a, "perm_v");
    this.permY = StridedViews.perm(a, "perm_y");
    float divisor = a.getFloat("divisor", 1f);
    this.scale = 1f / divisor;
    String name = op.node().name();
    this.scores =
        new TransposedMatMulKernel(part(name + "/scores", perms(a, "perm_q", "perm_k", null), op));
    Map<String, AttributeValue> sm = new LinkedHashMap<>();
    sm.put("divisor", AttributeValue.of(divisor));
    sm.put("axis", AttributeValue.of(-1L));
    this.softmax =
        new MaskedSoftmaxKernel(
            StridedViews.part(
                name + "/softmax", Fusions.DOMAIN, "MaskedSoftmax", 2, sm, op.opset()));
    this.context =
        new TransposedMatMulKernel(part(name + "/context", perms(a, null, "perm_v", "perm_y"), op));
  }

  /** A TransposedMatMul part taking the named perms as its perm_a, perm_b and perm_y. */
  private static OpContext part(String name, Map<String, AttributeValue> perms, OpContext op) {
    return StridedViews.part(name, Fusions.DOMAIN, "TransposedMatMul", 2, perms, op.opset());
  }

  private static Map<String, AttributeValue> perms(Attributes a, String pa, String pb, String py) {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    String[] from = {pa, pb, py};
    String[] to = {"perm_a", "perm_b", "perm_y"};
    for (int i = 0; i < 3; i++) {
      if (from[i] != null && a.get(from[i]).isPresent()) {
        m.put(to[i], a.get(from[i]).get());
      }
    }
    return m;
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor q = in[0];
    Tensor k = in[1];
    Tensor v = in[2];
    Tensor mask = in[3];
    int r = q.rank();
    for (Tensor t : in) {
      if (t.dtype() != DType.FLOAT) {
        return unfused(ctx, in);
      }
    }
    if (r < 2
        || k.rank() != r
        || v.rank() != r
        || mask.rank() > r
        || !StridedViews.valid(permQ, r)
        || !StridedViews.valid(permK, r)
        || !StridedViews.valid(permV, r)
        || !StridedViews.valid(permY, r)) {
      return unfused(ctx, in);
    }
    int[] sq = StridedViews.view(q.shape(), permQ);
    int[] sk = StridedViews.view(k.shape(), permK);
    int[] sv = StridedViews.view(v.shape(), permV);
    int[] stQ = StridedViews.viewStrides(q.shape(), permQ);
    int[] stK = StridedViews.viewStrides(k.shape(), permK);
    int[] stV = StridedViews.viewStrides(v.shape(), permV);
    int m = sq[r - 2];
    int d = sq[r - 1];
    int n = sk[r - 1];
    int dv = sv[r - 1];
    int[] batch = Arrays.copyOf(sq, r - 2);
    if (sk[r - 2] != d
        || sv[r - 2] != n
        || !Arrays.equals(batch, Arrays.copyOf(sk, r - 2))
        || !Arrays.equals(batch, Arrays.copyOf(sv, r - 2))) {
      return unfused(ctx, in);
    }
    int[] scoreShape = Arrays.copyOf(batch, r);
    scoreShape[r - 2] = m;
    scoreShape[r - 1] = n;
    int[] yShape = scoreShape.clone();
    yShape[r - 1] = dv;
    int[] outShape = StridedViews.view(yShape, permY);
    int[] stY = StridedViews.writeStrides(outShape, permY);
    boolean transK = !(stK[r - 1] == 1 || n == 1);
    boolean transV = !(stV[r - 1] == 1 || dv == 1);
    if ((stQ[r - 1] != 1 && d > 1)
        || (stY[r - 1] != 1 && dv > 1)
        || (transK && stK[r - 2] != 1 && d > 1)
        || (transV && stV[r - 2] != 1 && n > 1)
        || !Arrays.equals(Shapes.broadcast(scoreShape, mask.shape()), scoreShape)) {
      return unfused(ctx, in);
    }
    int ldq = stQ[r - 2];
    int ldk = transK ? stK[r - 1] : stK[r - 2];
    int ldv = transV ? stV[r - 1] : stV[r - 2];
    int ldy = stY[r - 2];
    int[] ms = Shapes.broadcastStrides(mask.shape(), scoreShape);
    int batches = Shapes.product(batch, 0, r - 2);
    int[] offQ = StridedViews.offsets(batch, batch, stQ);
    int[] offK = StridedViews.offsets(batch, batch, stK);
    int[] offV = StridedViews.offsets(batch, batch, stV);
    int[] offY = StridedViews.offsets(batch, batch, stY);
    int[] offM = StridedViews.offsets(batch, batch, ms);
    float[] qv = q.floats();
    float[] kv = k.floats();
    float[] vv = v.floats();
    float[] mv = mask.floats();
    float[] out = ctx.floats(Tensor.elementCount(outShape));
    int rowStride = ms[r - 2];
    int colStride = ms[r - 1];
    ExecContext inner = batches == 1 ? ctx : ctx.serial();
    ctx.parallelFor(
        batches,
        1,
        (b0, b1) -> {
          float[] s = inner.floats(m * n);
          float[] packed = inner.floats(Math.max(PackedB.size(d, n), PackedB.size(n, dv)));
          for (int i = b0; i < b1; i++) {
            PackedB kt = PackedB.pack(kv, offK[i], ldk, d, n, transK, packed);
            Sgemm.multiply(qv, offQ[i], ldq, m, kt, null, s, 0, n, inner);
            for (int row = 0; row < m; row++) {
              int mo = offM[i] + row * rowStride;
              MaskedSoftmaxKernel.row(s, row * n, scale, mv, mo, colStride, s, row * n, n);
            }
            PackedB vb = PackedB.pack(vv, offV[i], ldv, n, dv, transV, packed);
            Sgemm.multiply(s, 0, n, m, vb, null, out, offY[i], ldy, inner);
          }
          inner.recycle(packed);
          inner.recycle(s);
        });
    return new Tensor[] {Tensor.wrap(out, outShape)};
  }

  /**
   * The three ops one after the other (ranks, types or broadcasts the fused form does not take).
   */
  private Tensor[] unfused(ExecContext ctx, Tensor[] in) {
    Tensor s = scores.run(ctx, new Tensor[] {in[0], in[1]})[0];
    Tensor p = softmax.run(ctx, new Tensor[] {s, in[3]})[0];
    return context.run(ctx, new Tensor[] {p, in[2]});
  }
}
