package io.tracearr.analytics.metrics;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text-format scrape, parsed into samples, and its verdict from {@code promtool check
 * metrics}.
 */
public final class Scrape {

  public record Sample(String name, Map<String, String> labels, double value) {}

  /** What promtool said: its exit code and the lines it printed. */
  public record Verdict(int exitCode, List<String> lines) {}

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final String text;
  private final List<Sample> samples;
  private final Map<String, String> types;

  private Scrape(String text, List<Sample> samples, Map<String, String> types) {
    this.text = text;
    this.samples = samples;
    this.types = types;
  }

  /** Parses the text format; a line that is neither a comment nor a sample fails the parse. */
  public static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        types.put(parts[2], parts[3]);
        continue;
      }
      if (line.startsWith("#")) continue;
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) throw new AssertionError("not a sample line: " + line);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        int end = 0;
        while (l.find()) {
          if (l.start() != end) throw new AssertionError("malformed labels: " + line);
          labels.put(l.group(1), l.group(2));
          end = l.end();
        }
        if (end != m.group(3).length()) throw new AssertionError("malformed labels: " + line);
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
    }
    return new Scrape(text, samples, types);
  }

  /** Text that may not parse, to be judged by promtool alone. */
  static Scrape unparsed(String text) {
    return new Scrape(text, List.of(), Map.of());
  }

  public String text() {
    return text;
  }

  public List<Sample> samples() {
    return samples;
  }

  public Map<String, String> types() {
    return types;
  }

  /**
   * The sum of every sample named {@code name} whose labels include {@code labels} (0 when none).
   */
  public double sum(String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value)
        .sum();
  }

  public double sum(String name) {
    return sum(name, Map.of());
  }

  public boolean has(String name, Map<String, String> labels) {
    return samples.stream()
        .anyMatch(
            s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()));
  }

  /**
   * Runs {@code promtool check metrics} with the scrape on stdin. promtool is required (CI installs
   * the Debian package {@code prometheus}): its absence is a failure, not a skip.
   */
  public Verdict promtool() throws IOException, InterruptedException {
    String binary = promtoolBinary();
    Process p = new ProcessBuilder(binary, "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream o = p.getInputStream()) {
      o.transferTo(out);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool did not finish within 60 s");
    }
    List<String> lines =
        out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    return new Verdict(p.exitValue(), lines);
  }

  static String promtoolBinary() {
    String explicit = System.getenv("PROMTOOL");
    if (explicit != null && !explicit.isBlank()) return explicit;
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) return f.getPath();
    }
    throw new AssertionError(
        "promtool is not installed: it checks the /metrics exposition "
            + "(apt-get install prometheus, or set PROMTOOL=/path/to/promtool)");
  }
}
