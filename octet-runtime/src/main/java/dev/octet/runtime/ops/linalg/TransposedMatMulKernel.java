package dev.octet.runtime.ops.linalg;

import static dev.octet.runtime.ops.linalg.StridedViews.offsets;
import static dev.octet.runtime.ops.linalg.StridedViews.part;
import static dev.octet.runtime.ops.linalg.StridedViews.perm;
import static dev.octet.runtime.ops.linalg.StridedViews.valid;
import static dev.octet.runtime.ops.linalg.StridedViews.view;
import static dev.octet.runtime.ops.linalg.StridedViews.viewStrides;
import static dev.octet.runtime.ops.linalg.StridedViews.writeStrides;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.core.graph.AttributeValue;
import dev.octet.core.graph.Attributes;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Shapes;
import dev.octet.runtime.ops.shape.TransposeKernel;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * com.octet.TransposedMatMul(A, B): Transpose(MatMul(Transpose(A, perm_a), Transpose(B, perm_b)),
 * perm_y), each perm optional (see {@code fusion.TransposeMatMul}). Every batch's product reads A
 * rows with a stride, B rows with a stride or B transposed, and writes C rows with a stride, all at
 * offsets taken from the untransposed tensors' strides. Shapes the strided form cannot take (ranks
 * that differ, non-float types) are transposed first and run as a plain MatMul.
 */
public final class TransposedMatMulKernel implements Kernel {
  private final int[] permA;
  private final int[] permB;
  private final int[] permY;
  private final MatMulKernel plain;
  private final TransposeKernel[] transposes = new TransposeKernel[3];

  public TransposedMatMulKernel(OpContext op) {
    Attributes a = op.attrs();
    this.permA = perm(a, "perm_a");
    this.permB = perm(a, "perm_b");
    this.permY = perm(a, "perm_y");
    String name = op.node().name();
    this.plain = new MatMulKernel(part(name, "", "MatMul", 2, Map.of(), op.opset()));
    String[] names = {"perm_a", "perm_b", "perm_y"};
    for (int i = 0; i < 3; i++) {
      Optional<AttributeValue> p = a.get(names[i]);
      if (p.isPresent()) {
        transposes[i] =
            new TransposeKernel(
                part(
                    name + "/" + names[i],
                    "",
                    "Transpose",
                    1,
                    Map.of("perm", p.get()),
                    op.opset()));
      }
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    Tensor a = in[0];
    Tensor b = in[1];
    int r = a.rank();
    if (a.dtype() != DType.FLOAT
        || b.dtype() != DType.FLOAT
        || r < 2
        || b.rank() != r
        || !valid(permA, r)
        || !valid(permB, r)
        || !valid(permY, r)) {
      return unfused(ctx, a, b);
    }
    int[] sa = view(a.shape(), permA);
    int[] sb = view(b.shape(), permB);
    int[] stA = viewStrides(a.shape(), permA);
    int[] stB = viewStrides(b.shape(), permB);
    int m = sa[r - 2];
    int k = sa[r - 1];
    int n = sb[r - 1];
    if (sb[r - 2] != k) {
      throw new OctetException(
          "inner dimensions differ: A " + Arrays.toString(sa) + ", B " + Arrays.toString(sb));
    }
    int[] batch = Shapes.broadcast(Arrays.copyOf(sa, r - 2), Arrays.copyOf(sb, r - 2));
    int[] yShape = Arrays.copyOf(batch, r);
    yShape[r - 2] = m;
    yShape[r - 1] = n;
    int[] outShape = view(yShape, permY);
    int[] stY = writeStrides(outShape, permY);
    // rows of A, B (or of B transposed) and C must be contiguous; an axis of one value is
    boolean transB = !(stB[r - 1] == 1 || n == 1);
    if ((stA[r - 1] != 1 && k > 1)
        || (stY[r - 1] != 1 && n > 1)
        || (transB && stB[r - 2] != 1 && k > 1)) {
      return unfused(ctx, a, b);
    }
    int lda = stA[r - 2];
    int ldb = transB ? stB[r - 1] : stB[r - 2];
    int ldc = stY[r - 2];
    int batches = Shapes.product(batch, 0, r - 2);
    int[] offA = offsets(batch, sa, stA);
    int[] offB = offsets(batch, sb, stB);
    int[] offY = offsets(batch, yShape, stY);
    float[] x = a.floats();
    float[] y = b.floats();
    float[] out = ctx.floats(Tensor.elementCount(outShape));
    BatchedGemm.run(ctx, x, offA, lda, y, offB, ldb, transB, m, k, n, null, out, offY, ldc);
    return new Tensor[] {Tensor.wrap(out, outShape)};
  }

  /** The fused ops one by one (any rank or type MatMul takes). */
  private Tensor[] unfused(ExecContext ctx, Tensor a, Tensor b) {
    Tensor ta = transposes[0] == null ? a : transposes[0].run(ctx, new Tensor[] {a})[0];
    Tensor tb = transposes[1] == null ? b : transposes[1].run(ctx, new Tensor[] {b})[0];
    Tensor y = plain.run(ctx, new Tensor[] {ta, tb})[0];
    return transposes[2] == null ? new Tensor[] {y} : transposes[2].run(ctx, new Tensor[] {y});
  }
}
