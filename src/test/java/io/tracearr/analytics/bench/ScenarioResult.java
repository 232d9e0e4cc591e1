package io.tracearr.analytics.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one scenario measured: absolute figures, the limit measured in the same run, the ratio, the
 * target and one check per clause of the target. Written as {@code results/s<id>.json}; {@link
 * BenchReport} reads them.
 */
final class ScenarioResult {

  enum Status {
    PASS,
    FAIL,
    SKIPPED,
    ERROR
  }

  private final JsonObject json = new JsonObject();
  private final JsonObject figures = new JsonObject();
  private final JsonArray checks = new JsonArray();
  private final JsonArray notes = new JsonArray();
  private Status forced;

  ScenarioResult(String id, String title, String target) {
    json.put("id", id).put("title", title).put("target", target);
  }

  String id() {
    return json.getString("id");
  }

  ScenarioResult figure(String name, Object value) {
    figures.put(name, value instanceof Double d ? round(d) : value);
    return this;
  }

  /** A figure recorded earlier, as a number (NaN when absent). */
  double figureValue(String name) {
    Object v = figures.getValue(name);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  ScenarioResult limit(String what, double value, String unit) {
    json.put(
        "limit", new JsonObject().put("what", what).put("value", round(value)).put("unit", unit));
    return this;
  }

  ScenarioResult ratio(double value) {
    json.put("ratio", Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : null);
    return this;
  }

  /** One clause of the target, e.g. {@code check("p99 < 20 ms", p99, p99 < 20)}. */
  ScenarioResult check(String clause, double measured, boolean pass) {
    checks.add(
        new JsonObject().put("clause", clause).put("measured", round(measured)).put("pass", pass));
    return this;
  }

  ScenarioResult note(String text) {
    notes.add(text);
    return this;
  }

  ScenarioResult skipped(String why) {
    forced = Status.SKIPPED;
    json.put("reason", why);
    return this;
  }

  ScenarioResult error(Throwable t) {
    forced = Status.ERROR;
    json.put("reason", String.valueOf(t));
    return this;
  }

  ScenarioResult error(String why) {
    forced = Status.ERROR;
    json.put("reason", why);
    return this;
  }

  Status status() {
    if (forced != null) return forced;
    if (checks.isEmpty()) return Status.ERROR;
    for (Object c : checks) if (!((JsonObject) c).getBoolean("pass")) return Status.FAIL;
    return Status.PASS;
  }

  JsonObject toJson() {
    return json.copy()
        .put("status", status().name().toLowerCase(java.util.Locale.ROOT))
        .put("figures", figures)
        .put("checks", checks)
        .put("notes", notes);
  }

  void write(Path resultsDir) throws IOException {
    Files.createDirectories(resultsDir);
    Files.writeString(resultsDir.resolve("s" + id() + ".json"), toJson().encodePrettily());
  }

  static double round(double v) {
    if (!Double.isFinite(v)) return v;
    double a = Math.abs(v);
    double scale = a >= 100 ? 10 : a >= 1 ? 1000 : 100000;
    return Math.round(v * scale) / scale;
  }
}
