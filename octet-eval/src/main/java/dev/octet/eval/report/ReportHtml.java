package dev.octet.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.octet.core.OctetException;
import dev.octet.core.onnx.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a {@link Report} as one self-contained HTML file that works offline: the data as JSON,
 * Chart.js (from its WebJar on the classpath) and a small script that draws the charts, all
 * inlined.
 */
public final class ReportHtml {
  /** The Chart.js build inside the org.webjars.npm:chart.js jar. */
  static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.7/dist/chart.umd.js";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportHtml() {}

  public static String render(Report r) {
    String data;
    try {
      data = JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    // JSON inside a script element: only "</" could end it early
    Map<String, String> parts =
        Map.of(
            "TITLE", escape(r.title()),
            "CHART_JS", resource(CHART_JS),
            "DATA", data.replace("</", "<\\/"),
            "SCRIPT", resource("report.js"));
    // one pass, so that inserted text is never searched for placeholders
    Matcher m = PLACEHOLDER.matcher(resource("report.html"));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(parts.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static final Pattern PLACEHOLDER =
      Pattern.compile("/\\*(TITLE|CHART_JS|DATA|SCRIPT)\\*/");

  /** Writes the report atomically (a temp file, then a move). */
  public static void write(Report r, Path file) {
    AtomicFiles.write(file, render(r).getBytes(StandardCharsets.UTF_8));
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String resource(String name) {
    String path = name.startsWith("META-INF") ? name : "dev/octet/eval/report/" + name;
    try (InputStream in = ReportHtml.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new OctetException("report resource " + path + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new OctetException("cannot read report resource " + path + ": " + e.getMessage(), e);
    }
  }
}
