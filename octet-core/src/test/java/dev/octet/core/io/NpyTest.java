package dev.octet.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.octet.core.DType;
import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @Test
  void roundTripsEveryShapeKind(@TempDir Path dir) {
    Tensor[] cases = {
      Tensor.scalar(2.5f),
      Tensor.wrap(new long[] {1, -2, 3}, 3),
      Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
      Tensor.wrap(DType.UINT8, new int[] {2, 2}, new byte[] {0, 1, (byte) 200, 7}),
    };
    for (Tensor t : cases) {
      Path f = dir.resolve("t.npy");
      Npy.write(f, t);
      assertEquals(t, Npy.read(f));
    }
  }

  @Test
  void truncatedOrForeignFilesAreRefused(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.npy");
    Npy.write(f, Tensor.wrap(new float[] {1, 2, 3, 4}, 4));
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
    assertThrows(OctetException.class, () -> Npy.read(f));
    Files.writeString(f, "not numpy");
    assertThrows(OctetException.class, () -> Npy.read(f));
  }
}
