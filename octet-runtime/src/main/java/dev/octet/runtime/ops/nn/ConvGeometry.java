package dev.octet.runtime.ops.nn;

import dev.octet.core.OctetException;
import dev.octet.core.graph.Attributes;
import java.util.Arrays;

/**
 * Spatial geometry shared by Conv, ConvTranspose and the pooling ops: kernel, strides, dilations
 * and pads (begin..., end...) for N spatial dimensions, with auto_pad resolved against the input.
 */
public record ConvGeometry(
    int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] padEnd, int[] out) {

  /**
   * @param in the input's spatial dimensions
   * @param kernelShape the kernel's spatial size (from the weight or the kernel_shape attribute)
   * @param ceil pooling's ceil_mode
   */
  public static ConvGeometry of(Attributes a, int[] in, int[] kernelShape, boolean ceil) {
    int n = in.length;
    int[] k = kernelShape;
    int[] s = ints(a.getInts("strides"), n, 1, "strides");
    int[] d = ints(a.getInts("dilations"), n, 1, "dilations");
    long[] pads = a.getInts("pads");
    int[] pb = new int[n];
    int[] pe = new int[n];
    if (pads != null) {
      if (pads.length != 2 * n) {
        throw new OctetException("pads has " + pads.length + " values, expected " + 2 * n);
      }
      for (int i = 0; i < n; i++) {
        pb[i] = (int) pads[i];
        pe[i] = (int) pads[i + n];
      }
    }
    String autoPad = a.getString("auto_pad", "NOTSET");
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      if (s[i] <= 0 || d[i] <= 0 || k[i] <= 0) {
        throw new OctetException("strides, dilations and kernel sizes must be positive");
      }
      int span = d[i] * (k[i] - 1) + 1;
      switch (autoPad) {
        case "SAME_UPPER", "SAME_LOWER" -> {
          out[i] = (in[i] + s[i] - 1) / s[i];
          int total = Math.max(0, (out[i] - 1) * s[i] + span - in[i]);
          pb[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
          pe[i] = total - pb[i];
        }
        case "VALID" -> {
          pb[i] = 0;
          pe[i] = 0;
          out[i] = (in[i] - span) / s[i] + 1;
        }
        case "NOTSET" -> {
          int avail = in[i] + pb[i] + pe[i] - span;
          out[i] = (ceil ? Math.ceilDiv(avail, s[i]) : Math.floorDiv(avail, s[i])) + 1;
          // ceil mode: the last window must start inside the input or the left padding
          if (ceil && (out[i] - 1) * s[i] >= in[i] + pb[i]) {
            out[i]--;
          }
        }
        default -> throw new OctetException("unknown auto_pad '" + autoPad + "'");
      }
      if (out[i] <= 0) {
        throw new OctetException(
            "input spatial size "
                + Arrays.toString(in)
                + " is too small for kernel "
                + Arrays.toString(k)
                + " with pads "
                + Arrays.toString(pb)
                + "/"
                + Arrays.toString(pe));
      }
    }
    return new ConvGeometry(k, s, d, pb, pe, out);
  }

  private static int[] ints(long[] v, int n, int dflt, String what) {
    int[] out = new int[n];
    Arrays.fill(out, dflt);
    if (v != null) {
      if (v.length != n) {
        throw new OctetException(what + " has " + v.length + " values, expected " + n);
      }
      for (int i = 0; i < n; i++) {
        out[i] = (int) v[i];
      }
    }
    return out;
  }

  /**
   * Checks that X [N, C, ...] and W [M, C/group, ...] fit a grouped convolution: C = (C/group) *
   * group and M divisible by group.
   */
  public static void checkChannels(int[] x, int[] w, int groups) {
    if (x.length < 3 || w.length != x.length) {
      throw new OctetException(
          "X must be [N, C, spatial...] and W [M, C/group, kernel...], got "
              + Arrays.toString(x)
              + " and "
              + Arrays.toString(w));
    }
    if (groups <= 0 || x[1] != w[1] * groups || w[0] % groups != 0) {
      throw new OctetException(
          "channels do not fit: X "
              + Arrays.toString(x)
              + ", W "
              + Arrays.toString(w)
              + ", group "
              + groups
              + " (X's channels must equal W's second dimension times group)");
    }
  }

  /**
   * The geometry of a grouped convolution of X [N, C, spatial...] by W [M, C/group, kernel...]:
   * checks the channels and that a kernel_shape attribute, when present, matches W.
   */
  public static ConvGeometry forConv(Attributes a, int[] x, int[] w, int groups) {
    checkChannels(x, w, groups);
    int[] spatial = Arrays.copyOfRange(x, 2, x.length);
    int[] kernel = Arrays.copyOfRange(w, 2, w.length);
    long[] ks = a.getInts("kernel_shape");
    if (ks != null && !Arrays.equals(Arrays.stream(ks).mapToInt(v -> (int) v).toArray(), kernel)) {
      throw new OctetException(
          "kernel_shape " + Arrays.toString(ks) + " differs from W's " + Arrays.toString(kernel));
    }
    return of(a, spatial, kernel, false);
  }

  /** The output shape [batch, channels, out...]. */
  public int[] outputShape(int batch, int channels) {
    int[] shape = new int[out.length + 2];
    shape[0] = batch;
    shape[1] = channels;
    System.arraycopy(out, 0, shape, 2, out.length);
    return shape;
  }

  /**
   * Whether {@code o} describes the same windows over the same output (the record's own equals
   * compares the arrays by identity).
   */
  public boolean sameAs(ConvGeometry o) {
    return Arrays.equals(kernel, o.kernel)
        && Arrays.equals(strides, o.strides)
        && Arrays.equals(dilations, o.dilations)
        && Arrays.equals(padBegin, o.padBegin)
        && Arrays.equals(padEnd, o.padEnd)
        && Arrays.equals(out, o.out);
  }

  public int outSize() {
    int p = 1;
    for (int o : out) {
      p *= o;
    }
    return p;
  }

  public int kernelSize() {
    int p = 1;
    for (int k : kernel) {
      p *= k;
    }
    return p;
  }

  /** True when a 1x1 (x1...) kernel with unit stride and no padding reads the input as is. */
  public boolean isPointwise() {
    for (int i = 0; i < kernel.length; i++) {
      if (kernel[i] != 1 || strides[i] != 1 || padBegin[i] != 0 || padEnd[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
