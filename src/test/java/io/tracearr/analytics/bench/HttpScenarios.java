package io.tracearr.analytics.bench;

import static io.tracearr.analytics.bench.Bench.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenarios 1 (REST heartbeats vs a bare route), 8 (WebSocket ingest vs scenario 1) and 2 (starts
 * vs pgbench).
 */
final class HttpScenarios {

  private final Bench b;

  /** scenario 1's heartbeat rate, the limit of scenario 8 */
  private double restHeartbeatRate = Double.NaN;

  HttpScenarios(Bench b) {
    this.b = b;
  }

  private Map<String, String> heartbeatEnv() {
    return Map.of(
        "BENCH_TOKEN",
        b.ingestKey,
        "BENCH_SESSIONS",
        String.valueOf(b.sizes.heartbeatSessions()),
        "BENCH_GROUP",
        String.format("%08x", Ids.GROUP_HEARTBEAT));
  }

  ScenarioResult heartbeats() throws Exception {
    ScenarioResult r =
        new ScenarioResult(
            "1",
            "heartbeat ingest over HTTP keep-alive: PUT /sessions/:id across "
                + b.sizes.heartbeatSessions()
                + " open sessions, full path",
            "≥ 0.6 × the bare rate; p99 < 20 ms");
    int n = b.sizes.heartbeatSessions();
    long t0 = System.nanoTime();
    b.startSessions(Ids.GROUP_HEARTBEAT, n);
    r.figure("setup_sessions_started", n).figure("setup_seconds", (System.nanoTime() - t0) / 1e9);
    int c = 64;
    int warm = b.sizes.warmupSeconds();
    int secs = b.sizes.seconds();
    b.wrk("s1-bare-warmup", "heartbeat.lua", b.barePort, c, warm, heartbeatEnv());
    Bench.Wrk bare = b.wrk("s1-bare", "heartbeat.lua", b.barePort, c, secs, heartbeatEnv());
    b.wrk("s1-full-warmup", "heartbeat.lua", b.port, c, warm, heartbeatEnv());
    long[] updates0 = rowUpdates();
    Bench.Wrk full = b.wrk("s1-full", "heartbeat.lua", b.port, c, secs, heartbeatEnv());
    Thread.sleep(2000);
    long[] updates1 = rowUpdates();
    if (full.errorShare() > 0.5) {
      return r.error(
          String.format(
              "%.1f %% of heartbeats failed (%d non-2xx, %d socket errors)",
              100 * full.errorShare(), full.non2xx(), full.socketErrors()));
    }
    r.check("≥ 99 % answered 2xx", 100 * (1 - full.errorShare()), full.errorShare() <= 0.01);
    restHeartbeatRate = full.rate();
    double ratio = full.rate() / bare.rate();
    r.figure("rate_per_s", full.rate())
        .figure("p50_ms", full.p50Ms())
        .figure("p90_ms", full.p90Ms())
        .figure("p99_ms", full.p99Ms())
        .figure("max_ms", full.maxMs())
        .figure("bare_rate_per_s", bare.rate())
        .figure("bare_p99_ms", bare.p99Ms())
        .figure("connections", c)
        .figure("seconds", secs)
        .limit(
            "bare Vert.x route answering 204 to the same request, same JVM", bare.rate(), "req/s")
        .ratio(ratio)
        .check("rate ≥ 0.6 × bare", ratio, ratio >= 0.6)
        .check("p99 < 20 ms", full.p99Ms(), full.p99Ms() < 20);
    long rows = updates1[0] - updates0[0];
    r.figure("session_row_updates", rows)
        .figure("hot_update_pct", rows == 0 ? 0.0 : 100.0 * (updates1[1] - updates0[1]) / rows);
    double flushes = b.metricSum("analytics_heartbeat_flush_batch_size_count", null);
    if (flushes > 0) {
      r.figure(
              "flush_batch_mean",
              b.metricSum("analytics_heartbeat_flush_batch_size_sum", null) / flushes)
          .figure(
              "flush_ms_mean",
              1000
                  * b.metricSum("analytics_heartbeat_flush_duration_seconds_sum", null)
                  / b.metricSum("analytics_heartbeat_flush_duration_seconds_count", null));
    }
    return r;
  }

  /**
   * Row updates of playback_sessions so far and how many were HOT (no index touched): a heartbeat
   * flush that changes an indexed column writes a new entry into every index of the table.
   */
  private long[] rowUpdates() throws Exception {
    String[] v =
        b.psql(
                "pg-stat-updates",
                // the table is partitioned (V16): its rows' statistics are the partitions'
                "SELECT coalesce(sum(n_tup_upd), 0) || ' ' || coalesce(sum(n_tup_hot_upd), 0) "
                    + "FROM pg_stat_user_tables WHERE relname LIKE 'playback\\_sessions\\_%';",
                Duration.ofMinutes(1))
            .split(" ");
    return new long[] {Long.parseLong(v[0]), Long.parseLong(v[1])};
  }

  ScenarioResult wsIngest() throws Exception {
    ScenarioResult r =
        new ScenarioResult(
            "8",
            "ingest over the WebSocket channel (heartbeats on GET /api/v1/ingest)",
            "≥ 1.5 × scenario 1's HTTP heartbeats/s");
    if (!b.routeExists("/api/v1/ingest", b.ingestKey))
      return r.skipped("GET /api/v1/ingest is not in this build");
    if (Double.isNaN(restHeartbeatRate))
      return r.skipped("scenario 1 did not produce a rate to compare with");
    int connections = 8;
    int window = 128;
    IngestLoad load = new IngestLoad(b.vertx, b.host, b.port, b.ingestKey);
    try {
      await(load.start(connections, window, Ids.GROUP_HEARTBEAT, b.sizes.heartbeatSessions()), 30);
      Thread.sleep(b.sizes.warmupSeconds() * 1000L);
      load.record(true);
      long t0 = System.nanoTime();
      Thread.sleep(b.sizes.seconds() * 1000L);
      long ok = load.ok.get();
      long bad = load.notOk.get();
      double secs = (System.nanoTime() - t0) / 1e9;
      load.record(false);
      if (ok == 0 || bad > ok)
        return r.error("WebSocket heartbeats: " + ok + " answered 204, " + bad + " did not");
      r.check("≥ 99 % answered 204", 100.0 * ok / (ok + bad), bad <= 0.01 * (ok + bad));
      double rate = ok / secs;
      double ratio = rate / restHeartbeatRate;
      r.figure("rate_per_s", rate)
          .figure("p50_ms", load.latencyMicros.getValueAtPercentile(50) / 1000.0)
          .figure("p99_ms", load.latencyMicros.getValueAtPercentile(99) / 1000.0)
          .figure("connections", connections)
          .figure("in_flight_per_connection", window)
          .figure("non_204", bad)
          .limit("scenario 1's HTTP heartbeat rate", restHeartbeatRate, "req/s")
          .ratio(ratio)
          .check("rate ≥ 1.5 × HTTP", ratio, ratio >= 1.5);
    } finally {
      await(load.stop(), 30);
    }
    return r;
  }

  private static final Pattern TPS =
      Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern PG_LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

  ScenarioResult starts() throws Exception {
    ScenarioResult r =
        new ScenarioResult(
            "2",
            "durable session starts (POST /sessions), 64 concurrent clients",
            "≥ 1.0 × pgbench TPS");
    int c = 64;
    int warm = b.sizes.warmupSeconds();
    int secs = b.sizes.seconds();
    Map<String, String> env = Map.of("BENCH_TOKEN", b.ingestKey);
    b.wrk("s2-full-warmup", "start.lua", b.port, c, warm, env);
    Bench.Wrk full = b.wrk("s2-full", "start.lua", b.port, c, secs, env);
    if (full.errorShare() > 0.5) {
      return r.error(
          String.format(
              "%.1f %% of starts failed (%d non-2xx, %d socket errors)",
              100 * full.errorShare(), full.non2xx(), full.socketErrors()));
    }
    r.check("≥ 99 % answered 2xx", 100 * (1 - full.errorShare()), full.errorShare() <= 0.01);
    b.psql(
        "s2-scratch",
        """
        DROP TABLE IF EXISTS bench_scratch_sessions, bench_scratch_devices, bench_scratch_ids;
        CREATE TABLE bench_scratch_ids (LIKE session_ids INCLUDING ALL);
        CREATE TABLE bench_scratch_sessions (LIKE playback_sessions INCLUDING ALL);
        CREATE TABLE bench_scratch_devices (LIKE user_devices INCLUDING ALL);
        """,
        Duration.ofMinutes(1));
    double tps;
    double pgLatency;
    try {
      pgbench("s2-pgbench-warmup", c, warm);
      String out = pgbench("s2-pgbench", c, secs);
      Matcher m = TPS.matcher(out);
      if (!m.find())
        throw new IllegalStateException("pgbench printed no tps: " + Processes.tail(out));
      tps = Double.parseDouble(m.group(1));
      Matcher l = PG_LATENCY.matcher(out);
      pgLatency = l.find() ? Double.parseDouble(l.group(1)) : Double.NaN;
    } finally {
      b.psql(
          "s2-scratch-drop",
          "DROP TABLE IF EXISTS bench_scratch_sessions, bench_scratch_devices, bench_scratch_ids;",
          Duration.ofMinutes(1));
    }
    double ratio = full.rate() / tps;
    r.figure("rate_per_s", full.rate())
        .figure("p50_ms", full.p50Ms())
        .figure("p99_ms", full.p99Ms())
        .figure("pgbench_tps", tps)
        .figure("pgbench_latency_avg_ms", pgLatency)
        .figure("seconds", secs)
        .limit(
            "pgbench, the same INSERT (bench/pgbench_start.sql) on the same PostgreSQL, 64 clients",
            tps,
            "tx/s")
        .ratio(ratio)
        .check("rate ≥ 1.0 × pgbench", ratio, ratio >= 1.0);
    return r;
  }

  private String pgbench(String name, int clients, int seconds) throws Exception {
    List<String> cmd =
        List.of(
            "pgbench",
            "-h",
            b.host,
            "-p",
            String.valueOf(b.pgPort),
            "-U",
            "postgres",
            "-n",
            "-M",
            "prepared",
            "-c",
            String.valueOf(clients),
            "-j",
            "2",
            "-T",
            String.valueOf(seconds),
            "-f",
            b.benchDir.resolve("pgbench_start.sql").toString(),
            "postgres");
    String out =
        b.tools
            .run(name, cmd, b.pgEnv(), Duration.ofSeconds(seconds + 60), null)
            .requireSuccess("pgbench")
            .stdout();
    Files.writeString(b.tools.raw(name + ".txt"), out);
    return out;
  }
}
