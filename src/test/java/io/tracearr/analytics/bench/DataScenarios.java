package io.tracearr.analytics.bench;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Scenarios on a generated history: 5 (full back-fill roll-up vs one GROUP BY) and 6 (stats
 * endpoints).
 */
final class DataScenarios {

  /**
   * The one bare GROUP BY over the same rows: what a day of daily_stats needs, for every day at
   * once.
   */
  static final String BARE_GROUP_BY =
      """
      SELECT (started_at AT TIME ZONE 'UTC')::date AS day, count(*), sum(duration_seconds), count(DISTINCT user_id),
             sum(bytes_transferred), count(*) FILTER (WHERE transcoded)
      FROM playback_sessions GROUP BY 1""";

  private final Bench b;
  private boolean generated;

  DataScenarios(Bench b) {
    this.b = b;
  }

  /**
   * {@code bench/generate.sql}: one generate_series INSERT of ended sessions over the 90 days
   * before today.
   */
  private double generate() throws Exception {
    int rows = generatedRows();
    long t0 = System.nanoTime();
    b.tools
        .run(
            "s5-generate",
            b.psqlCommand(
                "-v", "rows=" + rows, "-f", b.benchDir.resolve("generate.sql").toString()),
            b.pgEnv(),
            Duration.ofMinutes(60),
            null)
        .requireSuccess("generating sessions");
    generated = true;
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The history's size: the run's size, or {@code BENCH_S5_ROWS} (e.g. 1 000 000 between --quick's
   * 100 000 and the full 10 M, to profile the back-fill at a size where the rows, not the fixed
   * costs, set its time).
   */
  private int generatedRows() {
    String rows = System.getenv("BENCH_S5_ROWS");
    return rows == null || rows.isBlank() ? b.sizes.generatedSessions() : Integer.parseInt(rows);
  }

  ScenarioResult rollup() throws Exception {
    int rows = generatedRows();
    ScenarioResult r =
        new ScenarioResult(
            "5",
            "roll-up of " + rows + " generated sessions over 90 days (full back-fill)",
            "≤ 2 × the bare query (issue 18)");
    b.endLeftoverSessions();
    double genSeconds = generate();
    b.psql("s5-vacuum", "VACUUM ANALYZE playback_sessions;", Duration.ofMinutes(30));
    long total =
        Long.parseLong(
            b.psql("s5-count", "SELECT count(*) FROM playback_sessions;", Duration.ofMinutes(10)));
    r.figure("generated_sessions", rows)
        .figure("sessions_in_table", total)
        .figure("generate_seconds", genSeconds);
    // a first run brings the table into memory for both contenders
    b.psqlTimed("s5-bare-warmup", BARE_GROUP_BY + ";", Duration.ofMinutes(30));
    long t0 = System.nanoTime();
    HttpResponse<String> resp = b.postBare("/bench/rollup", Duration.ofMinutes(60));
    double wallMs = (System.nanoTime() - t0) / 1e6;
    double bareMs = b.psqlTimed("s5-bare", BARE_GROUP_BY + ";", Duration.ofMinutes(30));
    b.tools.run(
        "s5-bare-explain",
        b.psqlCommand(),
        b.pgEnv(),
        Duration.ofMinutes(30),
        "EXPLAIN (ANALYZE, BUFFERS) " + BARE_GROUP_BY + ";\n");
    r.figure("bare_group_by_ms", bareMs);
    if (resp.statusCode() == 501) {
      return r.limit("one bare GROUP BY over the same rows (psql)", bareMs, "ms")
          .skipped(
              "no aggregator consumes stats.rollup in this build (bare GROUP BY measured: "
                  + Math.round(bareMs)
                  + " ms)");
    }
    if (resp.statusCode() != 200)
      return r.error("the roll-up failed: " + resp.statusCode() + " " + resp.body());
    double rollupMs = new JsonObject(resp.body()).getDouble("elapsed_ms");
    String days = b.psql("s5-days", "SELECT count(*) FROM daily_stats;", Duration.ofMinutes(1));
    double ratio = rollupMs / bareMs;
    r.figure("rollup_ms", rollupMs)
        .figure("rollup_wall_ms", wallMs)
        .figure("days_rolled_up", Long.parseLong(days))
        .limit("one bare GROUP BY over the same rows (psql)", bareMs, "ms")
        .ratio(ratio)
        .check("roll-up ≤ 2 × bare", ratio, ratio <= 2.0);
    r.note(
        "roll-up timed through the aggregator's own path (stats.rollup on the local bus, via the bench listener); "
            + "the bare query: "
            + BARE_GROUP_BY.replaceAll("\\s+", " "));
    return r;
  }

  ScenarioResult statsEndpoints() throws Exception {
    ScenarioResult r =
        new ScenarioResult(
            "6",
            "stats/daily (1 year) and popular?window=week at "
                + b.sizes.generatedSessions()
                + " sessions, 50 concurrent clients",
            "p99 < 10 ms and < 50 ms");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String daily = "/api/v1/analytics/stats/daily?start=" + today.minusDays(364) + "&end=" + today;
    String popular = "/api/v1/analytics/popular?window=week";
    HttpResponse<String> d = b.get(daily, b.viewerKey);
    HttpResponse<String> p = b.get(popular, b.viewerKey);
    if (d.statusCode() == 404 || p.statusCode() == 404)
      return r.skipped("stats/daily or popular is not in this build");
    if (d.statusCode() != 200)
      return r.error("stats/daily answered " + d.statusCode() + ": " + Processes.tail(d.body()));
    if (p.statusCode() != 200)
      return r.error("popular answered " + p.statusCode() + ": " + Processes.tail(p.body()));
    if (!generated)
      r.note(
          "scenario 5 did not generate the history in this run: measured on whatever the table holds");
    Files.writeString(b.tools.raw("s6-daily-sample.json"), d.body());
    Files.writeString(b.tools.raw("s6-popular-sample.json"), p.body());
    int c = 50;
    int secs = b.sizes.seconds();
    // as a dashboard in a browser asks: gzip accepted (the answer is kept gzipped, 61 kB -> a few
    // kB)
    Map<String, String> dailyEnv =
        Map.of(
            "BENCH_TOKEN",
            b.viewerKey,
            "BENCH_PATH",
            daily,
            "BENCH_ACCEPT_ENCODING",
            "gzip, deflate, br");
    Map<String, String> popularEnv = Map.of("BENCH_TOKEN", b.viewerKey, "BENCH_PATH", popular);
    b.wrk("s6-daily-warmup", "get.lua", b.port, c, b.sizes.warmupSeconds(), dailyEnv);
    Bench.Wrk dw = b.wrk("s6-daily", "get.lua", b.port, c, secs, dailyEnv);
    b.wrk("s6-popular-warmup", "get.lua", b.port, c, b.sizes.warmupSeconds(), popularEnv);
    Bench.Wrk pw = b.wrk("s6-popular", "get.lua", b.port, c, secs, popularEnv);
    if (dw.errorShare() > 0.5 || pw.errorShare() > 0.5) {
      return r.error(
          String.format(
              "errors: daily %d non-2xx + %d socket, popular %d non-2xx + %d socket",
              dw.non2xx(), dw.socketErrors(), pw.non2xx(), pw.socketErrors()));
    }
    r.figure("daily_rate_per_s", dw.rate())
        .figure("daily_p50_ms", dw.p50Ms())
        .figure("daily_p99_ms", dw.p99Ms())
        .figure("popular_rate_per_s", pw.rate())
        .figure("popular_p50_ms", pw.p50Ms())
        .figure("popular_p99_ms", pw.p99Ms())
        .figure("daily_response_bytes", d.body().length())
        .figure("popular_response_bytes", p.body().length())
        .check(
            "≥ 99 % answered 2xx",
            100 * (1 - Math.max(dw.errorShare(), pw.errorShare())),
            Math.max(dw.errorShare(), pw.errorShare()) <= 0.01)
        .check("stats/daily p99 < 10 ms", dw.p99Ms(), dw.p99Ms() < 10)
        .check("popular?window=week p99 < 50 ms", pw.p99Ms(), pw.p99Ms() < 50);
    return r;
  }

  /**
   * Scenario 9 (issue 17): stats/plays (a year, by client, answered from
   * usage_day_value/usage_day_user plus today live) and stats/top-users (month) on the generated
   * history, 50 concurrent clients.
   */
  ScenarioResult usageEndpoints() throws Exception {
    ScenarioResult r =
        new ScenarioResult(
            "9",
            "stats/plays?group_by=client (1 year) and stats/top-users?window=month at "
                + b.sizes.generatedSessions()
                + " sessions, 50 concurrent clients",
            "p99 < 20 ms each");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String plays =
        "/api/v1/analytics/stats/plays?start="
            + today.minusDays(364)
            + "&end="
            + today
            + "&group_by=client";
    String top = "/api/v1/analytics/stats/top-users?window=month&limit=10";
    // the first answers compute the past parts the node then caches (until a past day is
    // re-rolled):
    // timed on their own, with room for millions of user-days
    long f0 = System.nanoTime();
    HttpResponse<String> p = b.get(plays, b.viewerKey, Duration.ofMinutes(5));
    long f1 = System.nanoTime();
    HttpResponse<String> t = b.get(top, b.viewerKey, Duration.ofMinutes(5));
    r.figure("plays_first_ms", (f1 - f0) / 1e6)
        .figure("top_users_first_ms", (System.nanoTime() - f1) / 1e6);
    if (p.statusCode() == 404 || t.statusCode() == 404)
      return r.skipped("stats/plays or stats/top-users is not in this build");
    if (p.statusCode() != 200)
      return r.error("stats/plays answered " + p.statusCode() + ": " + Processes.tail(p.body()));
    if (t.statusCode() != 200)
      return r.error(
          "stats/top-users answered " + t.statusCode() + ": " + Processes.tail(t.body()));
    if (!generated)
      r.note(
          "scenario 5 did not generate the history in this run: measured on whatever the table holds");
    Files.writeString(b.tools.raw("s9-plays-sample.json"), p.body());
    Files.writeString(b.tools.raw("s9-top-users-sample.json"), t.body());
    String[] usageRows =
        b.psql(
                "s9-usage-rows",
                "SELECT (SELECT count(*) FROM usage_day_value) || ' ' || (SELECT count(*) FROM usage_day_user);",
                Duration.ofMinutes(5))
            .trim()
            .split(" ");
    int c = 50;
    int secs = b.sizes.seconds();
    Map<String, String> playsEnv = Map.of("BENCH_TOKEN", b.viewerKey, "BENCH_PATH", plays);
    Map<String, String> topEnv = Map.of("BENCH_TOKEN", b.viewerKey, "BENCH_PATH", top);
    b.wrk("s9-plays-warmup", "get.lua", b.port, c, b.sizes.warmupSeconds(), playsEnv);
    Bench.Wrk pw = b.wrk("s9-plays", "get.lua", b.port, c, secs, playsEnv);
    b.wrk("s9-top-users-warmup", "get.lua", b.port, c, b.sizes.warmupSeconds(), topEnv);
    Bench.Wrk tw = b.wrk("s9-top-users", "get.lua", b.port, c, secs, topEnv);
    // requests the service answered with an error (e.g. 503 when the query outlasts its timeout)
    // are
    // a measured result, not a crash of the harness: they fail the first check below
    r.figure("usage_day_value_rows", Long.parseLong(usageRows[0]))
        .figure("usage_day_user_rows", Long.parseLong(usageRows[1]))
        .figure("plays_requests", pw.requests())
        .figure("plays_errors", pw.non2xx() + pw.socketErrors())
        .figure("top_users_requests", tw.requests())
        .figure("top_users_errors", tw.non2xx() + tw.socketErrors())
        .figure("plays_rate_per_s", pw.rate())
        .figure("plays_p50_ms", pw.p50Ms())
        .figure("plays_p99_ms", pw.p99Ms())
        .figure("top_users_rate_per_s", tw.rate())
        .figure("top_users_p50_ms", tw.p50Ms())
        .figure("top_users_p99_ms", tw.p99Ms())
        .check(
            "≥ 99 % answered 2xx",
            100 * (1 - Math.max(pw.errorShare(), tw.errorShare())),
            Math.max(pw.errorShare(), tw.errorShare()) <= 0.01)
        .check("stats/plays p99 < 20 ms", pw.p99Ms(), pw.p99Ms() < 20)
        .check("stats/top-users p99 < 20 ms", tw.p99Ms(), tw.p99Ms() < 20);
    return r;
  }
}
