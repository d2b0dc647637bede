package dev.octet.runtime.ops;

import dev.octet.runtime.fusion.Fusions;
import dev.octet.runtime.fusion.QdqFusion;
import dev.octet.runtime.kernel.KernelRegistry;
import dev.octet.runtime.ops.linalg.AttentionKernel;
import dev.octet.runtime.ops.linalg.EinsumKernel;
import dev.octet.runtime.ops.linalg.GemmKernel;
import dev.octet.runtime.ops.linalg.MatMulKernel;
import dev.octet.runtime.ops.linalg.TransposedMatMulKernel;
import dev.octet.runtime.ops.math.ElementwiseOps;
import dev.octet.runtime.ops.math.UnaryKernel;
import dev.octet.runtime.ops.nn.ConvChainKernel;
import dev.octet.runtime.ops.nn.ConvConcatKernel;
import dev.octet.runtime.ops.nn.ConvKernel;
import dev.octet.runtime.ops.nn.ConvTransposeKernel;
import dev.octet.runtime.ops.nn.GlobalPoolKernel;
import dev.octet.runtime.ops.nn.MaskedSoftmaxKernel;
import dev.octet.runtime.ops.nn.NormKernels;
import dev.octet.runtime.ops.nn.PoolKernel;
import dev.octet.runtime.ops.nn.SoftmaxKernel;
import dev.octet.runtime.ops.quant.ConvIntegerKernel;
import dev.octet.runtime.ops.quant.DynamicQuantizeLinear;
import dev.octet.runtime.ops.quant.MatMulIntegerKernel;
import dev.octet.runtime.ops.quant.MatMulToFloatKernel;
import dev.octet.runtime.ops.quant.MatMulW8Kernel;
import dev.octet.runtime.ops.quant.QGemmKernel;
import dev.octet.runtime.ops.quant.QLinearBinaryKernel;
import dev.octet.runtime.ops.quant.QLinearConcatKernel;
import dev.octet.runtime.ops.quant.QLinearLookupKernel;
import dev.octet.runtime.ops.quant.QLinearPoolKernel;
import dev.octet.runtime.ops.quant.QuantizeLinear;
import dev.octet.runtime.ops.reduce.AxisKernels;
import dev.octet.runtime.ops.reduce.ReduceKernel;
import dev.octet.runtime.ops.shape.ConcatKernel;
import dev.octet.runtime.ops.shape.GatherKernels;
import dev.octet.runtime.ops.shape.PadKernel;
import dev.octet.runtime.ops.shape.ResizeKernel;
import dev.octet.runtime.ops.shape.ShapeOps;
import dev.octet.runtime.ops.shape.SliceKernel;
import dev.octet.runtime.ops.shape.SplitKernel;
import dev.octet.runtime.ops.shape.TransposeKernel;
import dev.octet.runtime.simd.Erf;
import dev.octet.runtime.simd.VectorMath;

/**
 * The standard ONNX kernels of Octet's runtime. Each op is registered with the opset version since
 * which its kernel's semantics hold; a kernel that reads attributes and inputs the way both the old
 * and new versions spell them is registered once.
 */
public final class StandardOps {
  private StandardOps() {}

  /** A new registry with every standard kernel. */
  public static KernelRegistry registry() {
    KernelRegistry.Builder r = KernelRegistry.builder();
    register(r);
    return r.build();
  }

  public static void register(KernelRegistry.Builder r) {
    ElementwiseOps.register(r);
    ShapeOps.register(r);
    r.add("Transpose", 1, TransposeKernel::new);
    r.add("Concat", 1, ConcatKernel::new);
    r.add("Split", 1, SplitKernel::new);
    r.add("Slice", 1, SliceKernel::new);
    r.add("Gather", 1, GatherKernels::gather);
    r.add("GatherElements", 11, GatherKernels::gatherElements);
    r.add("Tile", 6, GatherKernels::tile);
    r.add("Pad", 2, PadKernel::new);
    r.add("Resize", 10, ResizeKernel::new);
    r.add("Upsample", 7, ResizeKernel::new);

    r.add("MatMul", 1, MatMulKernel::new);
    r.add("Gemm", 1, GemmKernel::new);
    r.add("Einsum", 12, EinsumKernel::new);

    r.add("Conv", 1, ConvKernel::new);
    r.add("ConvTranspose", 1, ConvTransposeKernel::new);
    r.add("MaxPool", 1, op -> new PoolKernel(op, true));
    r.add("AveragePool", 1, op -> new PoolKernel(op, false));
    r.add("GlobalAveragePool", 1, op -> new GlobalPoolKernel(false));
    r.add("GlobalMaxPool", 1, op -> new GlobalPoolKernel(true));
    r.add("BatchNormalization", 1, NormKernels::batchNorm);
    r.add("InstanceNormalization", 1, NormKernels::instanceNorm);
    r.add("LayerNormalization", 17, NormKernels::layerNorm);
    r.add("LRN", 1, NormKernels::lrn);
    r.add("Softmax", 1, op -> new SoftmaxKernel(op, false));
    r.add("LogSoftmax", 1, op -> new SoftmaxKernel(op, true));

    r.add("ReduceSum", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.SUM));
    r.add("ReduceMean", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.MEAN));
    r.add("ReduceMax", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.MAX));
    r.add("ReduceMin", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.MIN));
    r.add("ReduceProd", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.PROD));
    r.add("ReduceL1", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.L1));
    r.add("ReduceL2", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.L2));
    r.add("ReduceLogSum", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.LOG_SUM));
    r.add("ReduceLogSumExp", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.LOG_SUM_EXP));
    r.add("ReduceSumSquare", 1, op -> new ReduceKernel(op, ReduceKernel.Kind.SUM_SQUARE));
    r.add("ArgMax", 1, op -> AxisKernels.argExtreme(op, true));
    r.add("ArgMin", 1, op -> AxisKernels.argExtreme(op, false));
    r.add("CumSum", 11, AxisKernels::cumSum);
    r.add("TopK", 1, AxisKernels::topK);

    r.add("QuantizeLinear", 10, op -> new QuantizeLinear(op, true));
    r.add("DequantizeLinear", 10, op -> new QuantizeLinear(op, false));
    r.add("DynamicQuantizeLinear", 11, op -> new DynamicQuantizeLinear());
    r.add("MatMulInteger", 10, op -> new MatMulIntegerKernel(op, false));
    r.add("QLinearMatMul", 10, op -> new MatMulIntegerKernel(op, true));
    r.add("ConvInteger", 10, op -> new ConvIntegerKernel(op, false));
    r.add("QLinearConv", 10, op -> new ConvIntegerKernel(op, true));
    // what ONNX Runtime's quantizer and QDQ transformer write in com.microsoft (QdqFusion too)
    String ms = QdqFusion.MS;
    r.add(ms, "MatMulIntegerToFloat", 1, op -> new MatMulToFloatKernel(op, false));
    r.add(ms, "DynamicQuantizeMatMul", 1, op -> new MatMulToFloatKernel(op, true));
    r.add(ms, "QGemm", 1, QGemmKernel::new);
    r.add(ms, "QLinearAdd", 1, op -> new QLinearBinaryKernel(op, false));
    r.add(ms, "QLinearMul", 1, op -> new QLinearBinaryKernel(op, true));
    r.add(ms, "QLinearSigmoid", 1, QLinearLookupKernel::sigmoid);
    r.add(ms, "QLinearLeakyRelu", 1, QLinearLookupKernel::leakyRelu);
    r.add(ms, "QLinearGlobalAveragePool", 1, op -> new QLinearPoolKernel(op, true));
    r.add(ms, "QLinearAveragePool", 1, op -> new QLinearPoolKernel(op, false));
    r.add(ms, "QLinearConcat", 1, QLinearConcatKernel::new);

    // fused ops written by dev.octet.runtime.fusion.Fusions at planning time
    r.add(Fusions.DOMAIN, "FusedConv", 1, ConvKernel::new);
    r.add(Fusions.DOMAIN, "ConvConcat", 1, ConvConcatKernel::new);
    r.add(Fusions.DOMAIN, "ConvChain", 1, ConvChainKernel::new);
    r.add(Fusions.DOMAIN, "MaskedSoftmax", 1, MaskedSoftmaxKernel::new);
    r.add(Fusions.DOMAIN, "FusedMatMul", 1, MatMulKernel::new);
    r.add(Fusions.DOMAIN, "TransposedMatMul", 1, TransposedMatMulKernel::new);
    r.add(Fusions.DOMAIN, "Attention", 1, AttentionKernel::new);
    r.add(Fusions.DOMAIN, "MatMulW8", 1, MatMulW8Kernel::new);
    r.add(Fusions.DOMAIN, "LayerNormalization", 1, NormKernels::layerNorm);
    r.add(
        Fusions.DOMAIN,
        "Gelu",
        1,
        op ->
            new UnaryKernel(
                VectorMath.Unary.GELU, x -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2))), null));
  }
}
