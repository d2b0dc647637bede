package dev.octet.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.octet.core.Tensor;
import dev.octet.core.graph.Model;
import dev.octet.core.onnx.OnnxModels;
import dev.octet.core.testing.SharedData;
import dev.octet.eval.data.Mnist;
import dev.octet.eval.engine.Engine;
import dev.octet.eval.engine.OctetEngine;
import dev.octet.quant.Recipe;
import dev.octet.quant.StaticQuantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A report of mnist-8 quantized on real images, opened in headless Chromium (Debian's chromium and
 * chromium-driver): no script errors, every chart drawn on a non-empty canvas. The screenshot is
 * left in target/report-test/.
 */
class ReportHtmlTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void mnistReportRendersItsChartsInHeadlessChromium() throws Exception {
    Model fp32 = OnnxModels.load(SharedData.require("models/mnist-8.onnx"));
    Mnist train = Mnist.read(SharedData.require("data/mnist").resolve("train10k"), 200);
    Mnist test = Mnist.read(SharedData.require("data/mnist").resolve("t10k"), 300);
    List<Map<String, Tensor>> calib = new ArrayList<>();
    for (float[] img : train.images()) {
      calib.add(Map.of("Input3", Tensor.wrap(img, 1, 1, 28, 28)));
    }
    StaticQuantizer.Result q =
        StaticQuantizer.quantize(fp32, calib, Recipe.defaults().withMethod("entropy"), 2, null);
    double[] accuracy = new double[2];
    try (Engine a = new OctetEngine(fp32, 2);
        Engine b = new OctetEngine(q.model(), 2)) {
      for (int i = 0; i < test.size(); i++) {
        Map<String, Tensor> in = Map.of("Input3", Tensor.wrap(test.images()[i], 1, 1, 28, 28));
        accuracy[0] += top1(a, in) == test.labels()[i] ? 1.0 / test.size() : 0;
        accuracy[1] += top1(b, in) == test.labels()[i] ? 1.0 / test.size() : 0;
      }
    }
    Report r =
        ReportBuilder.build(
            "mnist-8: FP32 vs INT8 </script><b>",
            fp32,
            q.model(),
            calib.subList(0, 4),
            q.stats(),
            q.params(),
            List.of(new Report.Accuracy("top-1 on 300 t10k images", accuracy[0], accuracy[1])),
            List.of("calibrated on 200 train10k images, entropy"),
            2);
    assertTrue(r.layers().size() > 5 && r.histograms().size() == ReportBuilder.HISTOGRAMS);
    assertEquals(4, r.latency().size());
    Path dir = Path.of("target", "report-test");
    Files.createDirectories(dir);
    Path html = dir.resolve("report.html");
    ReportHtml.write(r, html);
    String text = Files.readString(html);
    assertTrue(!text.contains("src=\"http") && !text.contains("<link"), "must work offline");
    assertTrue(text.contains("mnist-8: FP32 vs INT8 &lt;/script&gt;&lt;b&gt;"), "title escaped");

    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but Chromium is missing: apt-get install chromium chromium-driver");
      }
      Assumptions.abort("Chromium is not installed (apt-get install chromium chromium-driver)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1200,2600",
        "--user-data-dir=" + Files.createTempDirectory("octet-chromium"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(html.toUri().toString());
      JavascriptExecutor js = driver;
      assertEquals("0", js.executeScript("return document.body.dataset.errors"), errors(driver));
      long charts =
          Long.parseLong((String) js.executeScript("return document.body.dataset.charts"));
      assertEquals(3 + ReportBuilder.HISTOGRAMS, charts);
      // every canvas has pixels drawn on it
      @SuppressWarnings("unchecked")
      List<Object> drawn =
          (List<Object>)
              js.executeScript(
                  "return [...document.querySelectorAll('canvas')].map(c => {"
                      + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                      + " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;"
                      + " return n; });");
      assertEquals(charts, drawn.size());
      for (Object n : drawn) {
        assertTrue(((Number) n).longValue() > 1000, "a canvas is (nearly) empty: " + drawn);
      }
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        assertTrue(e.getLevel().intValue() < Level.SEVERE.intValue(), "browser error: " + e);
      }
      Files.write(dir.resolve("report.png"), driver.getScreenshotAs(OutputType.BYTES));
    } finally {
      driver.quit();
    }
  }

  private static String errors(ChromeDriver d) {
    return String.valueOf(
        ((JavascriptExecutor) d)
            .executeScript("return document.getElementById('errors').textContent"));
  }

  private static int top1(Engine e, Map<String, Tensor> in) {
    float[] v = e.run(in).values().iterator().next().floats();
    int b = 0;
    for (int i = 1; i < v.length; i++) {
      b = v[i] > v[b] ? i : b;
    }
    return b;
  }
}
