package io.tracearr.analytics.stats;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Raw sessions written straight into playback_sessions, as the registry would have left them.
 * Public for the gateway's stats tests.
 */
public final class Seed {

  private final List<String> rows = new ArrayList<>();
  private final ZoneId zone;

  Seed(ZoneId zone) {
    this.zone = zone;
  }

  public Seed() {
    this(ZoneOffset.UTC);
  }

  public static UUID user(int n) {
    return UUID.fromString("10000000-0000-0000-0000-%012d".formatted(n));
  }

  /** content ids sort as their letter: a < b < c < e */
  static UUID content(char letter) {
    return UUID.fromString("00000000-0000-0000-0000-00000000000" + letter);
  }

  LocalDate today() {
    return LocalDate.now(zone);
  }

  /** {@code daysAgo} days before today, at local time {@code hhmm}. */
  Instant at(int daysAgo, String hhmm) {
    return today().minusDays(daysAgo).atTime(LocalTime.parse(hhmm)).atZone(zone).toInstant();
  }

  /**
   * An ended session; {@code played} seconds of play (pauses excluded), created when it started.
   */
  Seed ended(
      UUID user,
      char content,
      String type,
      String title,
      Instant start,
      Instant end,
      double played,
      long bytes,
      boolean transcoded) {
    rows.add(
        row(
            UUID.randomUUID(),
            user,
            content,
            type,
            title,
            start,
            end,
            played,
            bytes,
            transcoded,
            start));
    return this;
  }

  /**
   * An ended session reported late: created now (the database's clock), not when it started, so the
   * next roll-up re-rolls its day; no bytes, not transcoded.
   */
  public Seed reportedLate(
      UUID user,
      char content,
      String type,
      String title,
      Instant start,
      Instant end,
      double played) {
    rows.add(
        row(UUID.randomUUID(), user, content, type, title, start, end, played, 0, false, null));
    return this;
  }

  /** A session still playing (heartbeat now). */
  Seed open(UUID user, char content, String type, String title, Instant start, double played) {
    rows.add(
        row(UUID.randomUUID(), user, content, type, title, start, null, played, 0, false, start));
    return this;
  }

  public void into(TestNode node) {
    node.sql(sql());
    rows.clear();
  }

  String sql() {
    return """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_key, ip_address, transcoded, bytes_transferred, status, started_at, ended_at, last_heartbeat_at,
          duration_seconds, ended_reason, created_at) VALUES
        """
        + String.join(",\n", rows);
  }

  // created null: now(), a row reported late
  private static String row(
      UUID id,
      UUID user,
      char content,
      String type,
      String title,
      Instant start,
      Instant end,
      double played,
      long bytes,
      boolean transcoded,
      Instant created) {
    String status = end == null ? "'playing'" : "'ended'";
    String endedAt = end == null ? "NULL" : ts(end);
    String heartbeat = end == null ? "now()" : ts(end);
    String reason = end == null ? "NULL" : "'client'";
    return "('%s', '%s', '%s', '%s', %s, 'Plex Web', 'Chrome', 'dev-%s', '10.0.0.1', %s, %d, %s, %s, %s, %s, %s, %s, %s)"
        .formatted(
            id,
            user,
            type,
            content(content),
            title == null ? "NULL" : "'" + title.replace("'", "''") + "'",
            user,
            transcoded,
            bytes,
            status,
            ts(start),
            endedAt,
            heartbeat,
            played,
            reason,
            created == null ? "now()" : ts(created));
  }

  static String ts(Instant t) {
    return "'" + t + "'::timestamptz";
  }

  /**
   * Runs a roll-up on the node now (the {@code stats.rollup} address) and returns today's DailyStat
   * JSON.
   */
  public static JsonObject rollup(TestNode node) {
    return TestNode.await(
            node.app()
                .vertx()
                .eventBus()
                .<JsonObject>request(Addresses.STATS_ROLLUP, new JsonObject()))
        .body();
  }

  /**
   * Waits until the node's startup work is done (its first roll-up and retention slots, the startup
   * back-fill), so that a test seeding afterwards is not raced by them.
   */
  public static void startupJobsDone(TestNode node) {
    Await.until(
        java.time.Duration.ofSeconds(60),
        "the startup roll-up, back-fill and retention",
        () ->
            node.count(
                        "SELECT count(*) FROM job_runs WHERE job IN ('rollup', 'retention', 'rollup-backfill') "
                            + "AND finished_at IS NOT NULL")
                    >= 2
                && node.app()
                        .node()
                        .metrics()
                        .registry()
                        .find("analytics_rollup_runs")
                        .tag("trigger", "startup")
                        .counter()
                    != null);
  }

  static JsonObject retention(TestNode node) {
    return TestNode.await(
            node.app()
                .vertx()
                .eventBus()
                .<JsonObject>request(Addresses.STATS_RETENTION, new JsonObject()))
        .body();
  }

  /** A DailyStat as the API renders it, normalised for comparison. */
  static JsonObject day(
      LocalDate date,
      long sessions,
      long minutes,
      long users,
      double gb,
      long transcoded,
      int peak) {
    return norm(
        new JsonObject()
            .put("date", date.toString())
            .put("total_sessions", sessions)
            .put("total_duration_minutes", minutes)
            .put("unique_users", users)
            .put("total_bandwidth_gb", gb)
            .put("transcoded_sessions", transcoded)
            .put("peak_concurrent_streams", peak));
  }

  static JsonObject norm(JsonObject json) {
    return new JsonObject(json.encode());
  }
}
