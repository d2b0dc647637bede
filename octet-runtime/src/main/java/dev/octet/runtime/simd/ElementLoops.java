package dev.octet.runtime.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops of {@link VectorMath#unary} and {@link VectorMath#binary}, one loop per op. A
 * shared helper {@code apply(op, vector)} with a switch over every op was compiled on its own, grew
 * past the size the JIT inlines ("already compiled into a big method"), and was then called out of
 * line with every vector boxed: all-MiniLM-L6-v2's residual Adds took 120 us each instead of 7.
 * Here every vector stays inside the loop that makes it. Each method returns how many leading
 * elements it computed (whole vectors); the caller finishes the rest with the scalar function.
 */
final class ElementLoops {
  private static final VectorSpecies<Float> S = Simd.F;
  private static final int L = S.length();

  private ElementLoops() {}

  static int unary(float[] x, int xo, float[] out, int oo, int n, VectorMath.Unary op) {
    int bound = S.loopBound(n);
    return switch (op) {
      case RELU -> relu(x, xo, out, oo, bound);
      case NEG -> neg(x, xo, out, oo, bound);
      case ABS -> abs(x, xo, out, oo, bound);
      case SQRT -> sqrt(x, xo, out, oo, bound);
      case RECIPROCAL -> reciprocal(x, xo, out, oo, bound);
      case EXP -> exp(x, xo, out, oo, bound);
      case TANH -> tanh(x, xo, out, oo, bound);
      case SIGMOID -> sigmoid(x, xo, out, oo, bound);
      case ERF -> erf(x, xo, out, oo, bound);
      case GELU -> gelu(x, xo, out, oo, bound);
    };
  }

  private static int relu(float[] x, int xo, float[] out, int oo, int bound) {
    FloatVector zero = FloatVector.zero(S);
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xo + i);
      v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int neg(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FloatVector.fromArray(S, x, xo + i).neg().intoArray(out, oo + i);
    }
    return bound;
  }

  private static int abs(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FloatVector.fromArray(S, x, xo + i).abs().intoArray(out, oo + i);
    }
    return bound;
  }

  private static int sqrt(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(out, oo + i);
    }
    return bound;
  }

  private static int reciprocal(float[] x, int xo, float[] out, int oo, int bound) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    for (int i = 0; i < bound; i += L) {
      one.div(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int exp(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FastMath.exp(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int tanh(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FastMath.tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int sigmoid(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FastMath.sigmoid(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int erf(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FastMath.erf(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int gelu(float[] x, int xo, float[] out, int oo, int bound) {
    for (int i = 0; i < bound; i += L) {
      FastMath.gelu(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
    }
    return bound;
  }

  /**
   * a and b each contiguous (stride 1) or one value for the row (stride 0), not both stride 0; n at
   * least one vector.
   */
  static int binary(
      float[] a,
      int ao,
      int as,
      float[] b,
      int bo,
      int bs,
      float[] out,
      int oo,
      int n,
      VectorMath.Binary op) {
    int bound = S.loopBound(n);
    return switch (op) {
      case ADD -> add(a, ao, as, b, bo, bs, out, oo, bound);
      case SUB -> sub(a, ao, as, b, bo, bs, out, oo, bound);
      case MUL -> mul(a, ao, as, b, bo, bs, out, oo, bound);
      case DIV -> div(a, ao, as, b, bo, bs, out, oo, bound);
      case MAX -> max(a, ao, as, b, bo, bs, out, oo, bound);
      case MIN -> min(a, ao, as, b, bo, bs, out, oo, bound);
      case POW -> 0; // scalar: the Vector API's POW differs between JIT tiers
    };
  }

  /** Operand a at element i: a whole vector when contiguous, its one value when broadcast. */
  private static FloatVector operand(float[] a, int ao, int as, FloatVector one, int i) {
    return as == 0 ? one : FloatVector.fromArray(S, a, ao + i);
  }

  private static int add(
      float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int bound) {
    FloatVector ka = FloatVector.broadcast(S, a[ao]);
    FloatVector kb = FloatVector.broadcast(S, b[bo]);
    for (int i = 0; i < bound; i += L) {
      operand(a, ao, as, ka, i).add(operand(b, bo, bs, kb, i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int sub(
      float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int bound) {
    FloatVector ka = FloatVector.broadcast(S, a[ao]);
    FloatVector kb = FloatVector.broadcast(S, b[bo]);
    for (int i = 0; i < bound; i += L) {
      operand(a, ao, as, ka, i).sub(operand(b, bo, bs, kb, i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int mul(
      float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int bound) {
    FloatVector ka = FloatVector.broadcast(S, a[ao]);
    FloatVector kb = FloatVector.broadcast(S, b[bo]);
    for (int i = 0; i < bound; i += L) {
      operand(a, ao, as, ka, i).mul(operand(b, bo, bs, kb, i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int div(
      float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int bound) {
    FloatVector ka = FloatVector.broadcast(S, a[ao]);
    FloatVector kb = FloatVector.broadcast(S, b[bo]);
    for (int i = 0; i < bound; i += L) {
      operand(a, ao, as, ka, i).div(operand(b, bo, bs, kb, i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int max(
      float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int bound) {
    FloatVector ka = FloatVector.broadcast(S, a[ao]);
    FloatVector kb = FloatVector.broadcast(S, b[bo]);
    for (int i = 0; i < bound; i += L) {
      operand(a, ao, as, ka, i).max(operand(b, bo, bs, kb, i)).intoArray(out, oo + i);
    }
    return bound;
  }

  private static int min(
      float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int bound) {
    FloatVector ka = FloatVector.broadcast(S, a[ao]);
    FloatVector kb = FloatVector.broadcast(S, b[bo]);
    for (int i = 0; i < bound; i += L) {
      operand(a, ao, as, ka, i).min(operand(b, bo, bs, kb, i)).intoArray(out, oo + i);
    }
    return bound;
  }
}
