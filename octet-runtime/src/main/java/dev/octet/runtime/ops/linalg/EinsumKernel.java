package dev.octet.runtime.ops.linalg;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import dev.octet.runtime.kernel.ExecContext;
import dev.octet.runtime.kernel.Kernel;
import dev.octet.runtime.kernel.OpContext;
import dev.octet.runtime.ops.Numeric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Einsum by its definition: for every assignment of the letters, multiply the operands' elements
 * and add into the output element named by the output letters. Explicit ("ij,jk->ik") and implicit
 * ("ij,jk") forms, repeated letters (diagonals), any number of operands; no ellipsis.
 */
public final class EinsumKernel implements Kernel {
  private final List<String> terms = new ArrayList<>();
  private final String output;

  public EinsumKernel(OpContext op) {
    String eq = op.attrs().getString("equation").replace(" ", "");
    if (eq.contains(".")) {
      throw op.error("equations with '...' are not supported: " + eq);
    }
    String[] sides = eq.split("->", -1);
    for (String t : sides[0].split(",", -1)) {
      terms.add(t);
    }
    if (sides.length > 1) {
      output = sides[1];
    } else {
      // implicit form: letters that appear exactly once, in alphabetical order
      Map<Character, Integer> counts = new java.util.TreeMap<>();
      sides[0].replace(",", "").chars().forEach(c -> counts.merge((char) c, 1, Integer::sum));
      StringBuilder b = new StringBuilder();
      counts.forEach(
          (c, n) -> {
            if (n == 1) {
              b.append(c);
            }
          });
      output = b.toString();
    }
  }

  @Override
  public Tensor[] run(ExecContext ctx, Tensor[] in) {
    if (in.length != terms.size()) {
      throw new OctetException("equation has " + terms.size() + " operands, got " + in.length);
    }
    Map<Character, Integer> dims = new LinkedHashMap<>();
    for (int t = 0; t < in.length; t++) {
      String term = terms.get(t);
      if (term.length() != in[t].rank()) {
        throw new OctetException(
            "operand "
                + t
                + " has rank "
                + in[t].rank()
                + " but '"
                + term
                + "' names "
                + term.length());
      }
      for (int i = 0; i < term.length(); i++) {
        Integer prev = dims.put(term.charAt(i), in[t].dim(i));
        if (prev != null && prev != in[t].dim(i)) {
          throw new OctetException(
              "letter '" + term.charAt(i) + "' has sizes " + prev + " and " + in[t].dim(i));
        }
      }
    }
    List<Character> letters = new ArrayList<>(dims.keySet());
    int[] size = letters.stream().mapToInt(dims::get).toArray();
    int[][] strides = new int[in.length + 1][letters.size()];
    for (int t = 0; t <= in.length; t++) {
      String term = t < in.length ? terms.get(t) : output;
      int acc = 1;
      for (int i = term.length() - 1; i >= 0; i--) {
        int li = letters.indexOf(term.charAt(i));
        if (li < 0) {
          throw new OctetException("output letter '" + term.charAt(i) + "' is not in any operand");
        }
        strides[t][li] += acc;
        acc *= dims.get(term.charAt(i));
      }
    }
    int[] outShape = output.chars().map(c -> dims.get((char) c)).toArray();
    double[][] vals = new double[in.length][];
    for (int t = 0; t < in.length; t++) {
      vals[t] = Numeric.toDoubles(in[t]);
    }
    double[] out = new double[Tensor.elementCount(outShape)];
    long total = 1;
    for (int s : size) {
      total *= s;
    }
    int[] pos = new int[size.length];
    int[] off = new int[in.length + 1];
    for (long it = 0; it < total; it++) {
      double p = 1;
      for (int t = 0; t < in.length; t++) {
        p *= vals[t][off[t]];
      }
      out[off[in.length]] += p;
      for (int d = size.length - 1; d >= 0; d--) {
        pos[d]++;
        for (int t = 0; t <= in.length; t++) {
          off[t] += strides[t][d];
        }
        if (pos[d] < size[d]) {
          break;
        }
        for (int t = 0; t <= in.length; t++) {
          off[t] -= strides[t][d] * size[d];
        }
        pos[d] = 0;
      }
    }
    return new Tensor[] {Numeric.fromDoubles(in[0].dtype(), outShape, out)};
  }
}
