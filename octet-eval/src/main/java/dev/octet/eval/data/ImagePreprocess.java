package dev.octet.eval.data;

import dev.octet.core.OctetException;
import dev.octet.core.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * How an image becomes a [1, 3, size, size] input: resize the shorter side to {@code resize}
 * (bilinear), centre-crop {@code size}, order the channels, then (pixel * scale - mean) / std per
 * channel, in the output's channel order.
 *
 * @param bgr channel order BGR (Caffe models) instead of RGB
 * @param scale applied to 0..255 pixel values first (1/255 for ImageNet-style, 1 for Caffe)
 */
public record ImagePreprocess(
    int resize, int size, boolean bgr, float scale, float[] mean, float[] std) {
  public ImagePreprocess {
    if (size <= 0 || resize < size || mean.length != 3 || std.length != 3) {
      throw new OctetException("image preprocessing needs resize >= size > 0 and 3 means and stds");
    }
  }

  /**
   * torchvision's ImageNet preset: RGB, 0..1, mean (0.485, 0.456, 0.406), std (0.229, 0.224,
   * 0.225).
   */
  public static ImagePreprocess imagenet() {
    return new ImagePreprocess(
        256,
        224,
        false,
        1 / 255f,
        new float[] {0.485f, 0.456f, 0.406f},
        new float[] {0.229f, 0.224f, 0.225f});
  }

  /** Caffe's preset (the shared SqueezeNet): BGR, 0..255, minus mean (104, 117, 123). */
  public static ImagePreprocess caffe() {
    return new ImagePreprocess(
        256, 224, true, 1f, new float[] {104f, 117f, 123f}, new float[] {1f, 1f, 1f});
  }

  public Tensor load(Path file) {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new OctetException(file + ": cannot decode image: " + e.getMessage(), e);
    }
    if (img == null) {
      throw new OctetException(file + ": not an image format Java can decode (use JPEG or PNG)");
    }
    return apply(img);
  }

  public Tensor apply(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    double f = resize / (double) Math.min(w, h);
    int nw = Math.max(size, (int) Math.round(w * f));
    int nh = Math.max(size, (int) Math.round(h * f));
    BufferedImage scaled = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.drawImage(img, 0, 0, nw, nh, null);
    g.dispose();
    int x0 = (nw - size) / 2;
    int y0 = (nh - size) / 2;
    float[] out = new float[3 * size * size];
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = scaled.getRGB(x0 + x, y0 + y);
        float r = (rgb >> 16) & 0xFF;
        float gr = (rgb >> 8) & 0xFF;
        float b = rgb & 0xFF;
        float[] ch = bgr ? new float[] {b, gr, r} : new float[] {r, gr, b};
        for (int c = 0; c < 3; c++) {
          out[c * plane + y * size + x] = (ch[c] * scale - mean[c]) / std[c];
        }
      }
    }
    return Tensor.wrap(out, 1, 3, size, size);
  }
}
