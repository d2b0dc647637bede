package dev.octet.core.graph;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The tensor a Constant node produces, from whichever of its value attributes is set. */
public final class Constants {
  private Constants() {}

  public static Tensor valueOf(Node constant) {
    Attributes a = constant.attributes();
    if (a.size() != 1) {
      throw new OctetException(
          constant.describe() + ": a Constant needs exactly one value attribute, has " + a.names());
    }
    String key = a.names().iterator().next();
    return switch (key) {
      case "value" -> a.getTensor("value");
      case "value_float" -> Tensor.scalar(a.getFloat("value_float", 0f));
      case "value_floats" -> {
        float[] f = a.getFloats("value_floats");
        yield Tensor.wrap(f, f.length);
      }
      case "value_int" -> Tensor.scalar(a.getInt("value_int"));
      case "value_ints" -> {
        long[] l = a.getInts("value_ints");
        yield Tensor.wrap(l, l.length);
      }
      case "value_string" ->
          Tensor.wrap(
              DType.STRING,
              new int[0],
              new byte[][] {a.getString("value_string").getBytes(StandardCharsets.UTF_8)});
      case "value_strings" -> {
        List<String> s = a.getStrings("value_strings");
        byte[][] b = new byte[s.size()][];
        for (int i = 0; i < b.length; i++) {
          b[i] = s.get(i).getBytes(StandardCharsets.UTF_8);
        }
        yield Tensor.wrap(DType.STRING, new int[] {b.length}, b);
      }
      default ->
          throw new OctetException(
              constant.describe()
                  + ": Constant attribute '"
                  + key
                  + "' is not supported (sparse_value needs densifying first)");
    };
  }
}
