package dev.octet.eval.data;

import dev.octet.core.OctetException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * MNIST in IDX format (gzip or plain): images as float 0..255 in [N][784] row-major, labels 0..9.
 * {@code prefix} names the pair, e.g. ".../t10k" for t10k-images-idx3-ubyte.gz and
 * t10k-labels-idx1-ubyte.gz.
 */
public record Mnist(float[][] images, int[] labels) {

  public static Mnist read(Path prefix, int limit) {
    Path images = find(prefix, "-images-idx3-ubyte");
    Path labels = find(prefix, "-labels-idx1-ubyte");
    try (DataInputStream in = open(images);
        DataInputStream lin = open(labels)) {
      if (in.readInt() != 2051 || lin.readInt() != 2049) {
        throw new OctetException(images + ": not an MNIST IDX file (bad magic number)");
      }
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      int ln = lin.readInt();
      if (n != ln || rows != 28 || cols != 28 || n < 0) {
        throw new OctetException(
            images
                + ": expected N x 28 x 28 images and N labels, got "
                + n
                + "x"
                + rows
                + "x"
                + cols
                + " and "
                + ln);
      }
      int count = limit > 0 ? Math.min(limit, n) : n;
      float[][] img = new float[count][rows * cols];
      byte[] buf = new byte[rows * cols];
      int[] lab = new int[count];
      for (int i = 0; i < count; i++) {
        in.readFully(buf);
        for (int j = 0; j < buf.length; j++) {
          img[i][j] = buf[j] & 0xFF;
        }
        lab[i] = lin.readUnsignedByte();
      }
      return new Mnist(img, lab);
    } catch (IOException e) {
      throw new OctetException(prefix + ": cannot read MNIST: " + e.getMessage(), e);
    }
  }

  private static Path find(Path prefix, String suffix) {
    for (String ext : new String[] {".gz", ""}) {
      Path p = Path.of(prefix + suffix + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new OctetException("no MNIST file " + prefix + suffix + "[.gz]");
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    return new DataInputStream(
        new java.io.BufferedInputStream(
            p.toString().endsWith(".gz") ? new GZIPInputStream(in) : in));
  }

  public int size() {
    return labels.length;
  }
}
