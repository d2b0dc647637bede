package dev.octet.quant.calib;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.util.Arrays;

/**
 * The largest magnitude per channel of the last axis, over every batch observed: what SmoothQuant
 * needs to know about a MatMul's input. Merging two takes the larger value per channel, so
 * observing halves and merging equals observing everything; NaN and infinities are ignored.
 */
public final class ChannelMax {
  private float[] max;

  public void observe(Tensor t) {
    int[] shape = t.shape();
    if (shape.length == 0) {
      throw new OctetException("a per-channel maximum needs a tensor of rank >= 1, got a scalar");
    }
    float[] x = t.floats();
    int c = shape[shape.length - 1];
    if (max == null) {
      max = new float[c];
    } else if (max.length != c) {
      throw new OctetException(
          "the last axis changed from " + max.length + " to " + c + " channels between batches");
    }
    for (int row = 0; row < x.length; row += c) {
      for (int j = 0; j < c; j++) {
        float a = Math.abs(x[row + j]);
        if (a > max[j] && a != Float.POSITIVE_INFINITY) {
          max[j] = a;
        }
      }
    }
  }

  public void merge(ChannelMax other) {
    if (other.max == null) {
      return;
    }
    if (max == null) {
      max = other.max.clone();
      return;
    }
    if (max.length != other.max.length) {
      throw new OctetException(
          "cannot merge maxima of " + max.length + " and " + other.max.length + " channels");
    }
    for (int i = 0; i < max.length; i++) {
      max[i] = Math.max(max[i], other.max[i]);
    }
  }

  /** The maxima (a copy), or an empty array when nothing was observed. */
  public float[] values() {
    return max == null ? new float[0] : max.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelMax c && Arrays.equals(max, c.max);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(max);
  }
}
