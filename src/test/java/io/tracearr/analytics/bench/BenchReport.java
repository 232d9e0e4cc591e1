package io.tracearr.analytics.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * report.md and report.json from {@code results/s*.json}. Exit code: 1 when a scenario crashed or
 * never ran, 3 when a full run missed a target, else 0 ({@code --quick} never judges the numbers).
 */
final class BenchReport {

  static final List<String> ORDER =
      List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14");

  /** The figure shown in the table's "measured" column, per scenario. */
  private static final Map<String, List<String>> HEADLINE =
      Map.ofEntries(
          Map.entry("1", List.of("rate_per_s", "p99_ms")),
          Map.entry("2", List.of("rate_per_s", "p99_ms")),
          Map.entry("3", List.of("p99_ms", "p50_ms", "background_heartbeats_per_s")),
          Map.entry(
              "4",
              List.of(
                  "delivery_p99_ms",
                  "heap_before_mb",
                  "heap_after_mb",
                  "dashboards_dropped_by_server")),
          Map.entry("5", List.of("rollup_ms", "bare_group_by_ms")),
          Map.entry("6", List.of("daily_p99_ms", "popular_p99_ms")),
          Map.entry("7", List.of("rss_peak_mb", "rss_end_mb")),
          Map.entry("8", List.of("rate_per_s", "p99_ms")),
          Map.entry("9", List.of("plays_p99_ms", "top_users_p99_ms")),
          Map.entry(
              "10",
              List.of(
                  "receipt_p99_ms", "alert_p99_ms_no_channels", "alert_p99_ms_hanging_receiver")),
          Map.entry("11", List.of("import_rows_per_s", "copy_rows_per_s", "rss_peak_mb")),
          Map.entry(
              "12",
              List.of(
                  "delete_ms",
                  "delete_wal_bytes",
                  "drop_ms",
                  "drop_wal_bytes",
                  "delete_rows",
                  "drop_rows")),
          Map.entry(
              "13",
              List.of(
                  "change_p99_ms", "change_p50_ms", "cpu_ms_per_server_per_s", "changes_missed")),
          Map.entry(
              "14",
              List.of(
                  "frames_service_cpu_ms_per_change",
                  "refetch_service_cpu_ms_per_change",
                  "cpu_ratio_refetch_over_frames",
                  "frames_every_dashboard_delay_max_ms",
                  "refetch_every_dashboard_delay_max_ms",
                  "refetch_get_p99_ms")));

  private BenchReport() {}

  static int write(Map<String, String> opts) throws IOException {
    Path out = Path.of(opts.getOrDefault("out", "target/bench"));
    boolean quick = opts.containsKey("quick");
    List<JsonObject> results = new ArrayList<>();
    for (String id : ORDER) {
      Path f = out.resolve("results").resolve("s" + id + ".json");
      if (Files.exists(f)) {
        results.add(new JsonObject(Files.readString(f)));
      } else if (!BenchRunner.selected(opts, null, id)) {
        results.add(
            new JsonObject()
                .put("id", id)
                .put("title", "scenario " + id)
                .put("status", "skipped")
                .put("reason", "not selected in this run (--phases / --only)")
                .put("figures", new JsonObject())
                .put("checks", new JsonArray())
                .put("notes", new JsonArray()));
      } else {
        results.add(
            new JsonObject()
                .put("id", id)
                .put("title", "scenario " + id)
                .put("status", "error")
                .put(
                    "reason",
                    "no result: its phase did not run or crashed (see target/bench/*.log)")
                .put("figures", new JsonObject())
                .put("checks", new JsonArray())
                .put("notes", new JsonArray()));
      }
    }
    JsonObject machine = machine(out);
    String generated =
        OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    JsonObject report =
        new JsonObject()
            .put("generated_at", generated)
            .put("mode", quick ? "quick" : "full")
            .put("machine", machine)
            .put("scenarios", new JsonArray(results));
    Files.writeString(out.resolve("report.json"), report.encodePrettily());
    Files.writeString(out.resolve("report.md"), markdown(results, machine, generated, quick));

    int code = 0;
    for (JsonObject r : results) {
      if ("error".equals(r.getString("status"))) code = 1;
    }
    if (code == 0 && !quick) {
      for (JsonObject r : results) if ("fail".equals(r.getString("status"))) code = 3;
    }
    System.out.println(Files.readString(out.resolve("report.md")).split("\n## Details")[0]);
    return code;
  }

  private static String markdown(
      List<JsonObject> results, JsonObject machine, String generated, boolean quick) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark report (")
        .append(quick ? "--quick: small sizes, a few seconds each; not a judgement" : "full run")
        .append(")\n\n");
    md.append("Generated ")
        .append(generated)
        .append(" on ")
        .append(machine.getString("cpu_model"))
        .append(", ")
        .append(machine.getInteger("nproc"))
        .append(" cores, ")
        .append(machine.getString("memory"))
        .append(", ")
        .append(machine.getString("java"))
        .append(". Load average at the start of each phase: ")
        .append(machine.getString("load_averages"))
        .append(".\n\n");
    md.append("| # | scenario | measured | limit (same run) | ratio | target | result |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (JsonObject r : results) {
      JsonObject limit = r.getJsonObject("limit");
      md.append("| ")
          .append(r.getString("id"))
          .append(" | ")
          .append(cell(r.getString("title")))
          .append(" | ")
          .append(cell(headline(r)))
          .append(" | ")
          .append(
              limit == null
                  ? "—"
                  : cell(
                      fmt(limit.getValue("value"))
                          + " "
                          + limit.getString("unit")
                          + " ("
                          + limit.getString("what")
                          + ")"))
          .append(" | ")
          .append(r.getValue("ratio") == null ? "—" : fmt(r.getValue("ratio")))
          .append(" | ")
          .append(cell(r.getString("target", "")))
          .append(" | ")
          .append(verdict(r))
          .append(" |\n");
    }
    md.append("\n## Details\n");
    for (JsonObject r : results) {
      md.append("\n### ")
          .append(r.getString("id"))
          .append(". ")
          .append(r.getString("title"))
          .append(" — ")
          .append(verdict(r))
          .append("\n\n");
      if (r.getString("reason") != null)
        md.append("Reason: ").append(r.getString("reason")).append("\n\n");
      for (Object c : r.getJsonArray("checks", new JsonArray())) {
        JsonObject check = (JsonObject) c;
        md.append("- ")
            .append(check.getBoolean("pass") ? "✔ " : "✘ ")
            .append(check.getString("clause"))
            .append(": measured ")
            .append(fmt(check.getValue("measured")))
            .append("\n");
      }
      JsonObject figures = r.getJsonObject("figures", new JsonObject());
      if (!figures.isEmpty()) {
        md.append("\n| figure | value |\n|---|---|\n");
        for (String k : figures.fieldNames())
          md.append("| ").append(k).append(" | ").append(fmt(figures.getValue(k))).append(" |\n");
      }
      for (Object n : r.getJsonArray("notes", new JsonArray()))
        md.append("\n").append(n).append("\n");
    }
    return md.toString();
  }

  private static String headline(JsonObject r) {
    JsonObject f = r.getJsonObject("figures", new JsonObject());
    List<String> parts = new ArrayList<>();
    for (String k : HEADLINE.getOrDefault(r.getString("id"), List.of())) {
      if (f.containsKey(k)) parts.add(k + " " + fmt(f.getValue(k)));
    }
    return parts.isEmpty() ? "—" : String.join(", ", parts);
  }

  private static String verdict(JsonObject r) {
    return switch (r.getString("status")) {
      case "pass" -> "**pass**";
      case "fail" -> "**FAIL**";
      case "skipped" -> "skipped: " + cell(r.getString("reason", ""));
      default -> "**ERROR**: " + cell(r.getString("reason", ""));
    };
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  private static String fmt(Object v) {
    if (v == null) return "—";
    if (v instanceof Double d) {
      if (d.isInfinite()) return "∞";
      if (d.isNaN()) return "n/a";
      if (Math.abs(d) >= 100) return String.format("%,.0f", d);
      if (Math.abs(d) >= 1) return String.format("%.2f", d);
      return String.format("%.3f", d);
    }
    if (v instanceof Number n && Math.abs(n.longValue()) >= 10_000)
      return String.format("%,d", n.longValue());
    return String.valueOf(v);
  }

  private static JsonObject machine(Path out) throws IOException {
    String model = "unknown CPU";
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        model = line.substring(line.indexOf(':') + 1).strip();
        break;
      }
    }
    String mem = "?";
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        mem =
            String.format(
                "%.1f GiB RAM", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
        break;
      }
    }
    Path loads = out.resolve("loadavg.txt");
    String loadAverages =
        Files.exists(loads) ? String.join("; ", Files.readAllLines(loads)) : "not recorded";
    return new JsonObject()
        .put("cpu_model", model)
        .put("nproc", Runtime.getRuntime().availableProcessors())
        .put("memory", mem)
        .put(
            "java",
            "Java "
                + System.getProperty("java.vm.version")
                + " ("
                + System.getProperty("java.vm.name")
                + ")")
        .put("load_averages", loadAverages);
  }
}
