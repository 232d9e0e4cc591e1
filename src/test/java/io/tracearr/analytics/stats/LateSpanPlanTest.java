package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The late-report query ({@link RollupStateStore#LATE_SPAN}) with a rolled import's stamp left out
 * must not visit the import's rows: a database holding {@code late.rows} imported sessions (default
 * 200 000, spread over three years of monthly partitions, all created in one transaction) and two
 * live late sessions, EXPLAIN (ANALYZE, BUFFERS) of the statement as the pool runs it (generic
 * plan, and custom plan) — the index scans return the live rows only and touch a few pages. The
 * plan is printed (run with {@code -Dlate.rows=1000000} for the figures of docs/architecture.md).
 */
class LateSpanPlanTest {

  static final long ROWS = Long.getLong("late.rows", 200_000L);

  static DatabaseUrl db;
  static Instant stamp;
  static Instant watermark;

  @BeforeAll
  static void importedHistory() throws Exception {
    db = TestDatabase.fresh();
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      st.execute("SELECT session_partitions_ensure(date '2021-01-01', date '2024-01-31')");
      // one import: one transaction, so one created_at (its start) on every row
      st.execute(
          """
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
            ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason)
          SELECT gen_random_uuid(), '20000000-0000-0000-0000-000000000001', 'movie',
                 '00000000-0000-0000-0000-0000000000b1', 'c', 'd', 'k', '10.0.0.1', 'ended', t, t + interval '30 min',
                 t + interval '30 min', 1800, 'imported'
          FROM (SELECT timestamptz '2021-01-01Z' + i * (interval '3 years' / %d) AS t
                FROM generate_series(0, %d) i) g"""
              .formatted(ROWS, ROWS - 1));
      stamp = instant(st, "SELECT max(created_at) FROM playback_sessions");
      watermark = stamp.minusSeconds(60);
      // live late reports, each in a transaction of its own, after the import's start: one that
      // started yesterday, one still open that started 2 h ago
      st.execute(
          """
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
            ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason)
          VALUES (gen_random_uuid(), '20000000-0000-0000-0000-000000000002', 'movie',
                  '00000000-0000-0000-0000-0000000000b2', 'c', 'd', 'k', '10.0.0.1', 'ended',
                  timestamptz '2025-06-01 10:00Z', timestamptz '2025-06-01 11:00Z', timestamptz '2025-06-01 11:00Z',
                  3600, 'client')""");
      st.execute(
          """
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
            ip_address, status, started_at, last_heartbeat_at)
          VALUES (gen_random_uuid(), '20000000-0000-0000-0000-000000000003', 'movie',
                  '00000000-0000-0000-0000-0000000000b3', 'c', 'd', 'k', '10.0.0.1', 'playing',
                  now() - interval '2 hours', now())""");
      st.execute("VACUUM ANALYZE playback_sessions");
    }
  }

  @Test
  void aRolledImportsRowsAreNotVisitedGenericPlan() throws Exception {
    assertSkipsTheImport("force_generic_plan");
  }

  @Test
  void aRolledImportsRowsAreNotVisitedCustomPlan() throws Exception {
    assertSkipsTheImport("force_custom_plan");
  }

  @Test
  void withoutTheStampTheImportIsFoundAsBefore() throws Exception {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      prepare(st, "force_generic_plan");
      try (ResultSet rs = st.executeQuery("EXECUTE late(" + ranges(List.of()) + ")")) {
        rs.next();
        assertEquals(
            Instant.parse("2021-01-01T00:00:00Z"),
            rs.getObject(1, OffsetDateTime.class).toInstant());
      }
      JsonObject plan = explain(st, ranges(List.of()));
      assertEquals(ROWS + 2, scanned(plan), plan::encodePrettily);
      System.out.println("without the stamp: " + pages(plan) + " pages");
      assertTrue(pages(plan) > 1000, plan::encodePrettily);
    }
  }

  private static void assertSkipsTheImport(String planMode) throws Exception {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      prepare(st, planMode);
      String args = ranges(List.of(stamp));
      // what the roll-up gets: the live late rows' span, from yesterday's start to the open one's
      // now
      try (ResultSet rs = st.executeQuery("EXECUTE late(" + args + ")")) {
        rs.next();
        assertEquals(
            Instant.parse("2025-06-01T10:00:00Z"),
            rs.getObject(1, OffsetDateTime.class).toInstant());
        assertTrue(rs.getObject(2, OffsetDateTime.class).toInstant().isAfter(stamp));
      }
      JsonObject plan = explain(st, args);
      System.out.println(planMode + ", " + ROWS + " imported rows:\n" + text(st, args));
      assertEquals(2, scanned(plan), plan::encodePrettily);
      long pages = pages(plan);
      // an index descent (or an empty partition's scan) per range and partition, a couple of
      // pages each, never the import's thousands of index and heap pages
      assertTrue(pages < 400, () -> pages + " pages: " + plan.encodePrettily());
    }
  }

  private static long pages(JsonObject plan) {
    return plan.getLong("Shared Hit Blocks", 0L) + plan.getLong("Shared Read Blocks", 0L);
  }

  private static void prepare(Statement st, String planMode) throws Exception {
    st.execute("SET plan_cache_mode = " + planMode);
    st.execute("PREPARE late(timestamptz[], timestamptz[]) AS " + RollupStateStore.LATE_SPAN);
  }

  /** the arguments the store sends, as SQL literals */
  private static String ranges(List<Instant> stamps) {
    var tuple = RollupStateStore.lateRanges(watermark, stamps);
    return array((OffsetDateTime[]) tuple.getValue(0))
        + ", "
        + array((OffsetDateTime[]) tuple.getValue(1));
  }

  private static String array(OffsetDateTime[] values) {
    return java.util.Arrays.stream(values)
        .map(t -> "'" + t + "'")
        .collect(Collectors.joining(",", "ARRAY[", "]::timestamptz[]"));
  }

  private static JsonObject explain(Statement st, String args) throws Exception {
    try (ResultSet rs =
        st.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE late(" + args + ")")) {
      rs.next();
      return new JsonArray(rs.getString(1)).getJsonObject(0).getJsonObject("Plan");
    }
  }

  private static String text(Statement st, String args) throws Exception {
    StringBuilder out = new StringBuilder();
    try (ResultSet rs =
        st.executeQuery("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE late(" + args + ")")) {
      while (rs.next()) out.append(rs.getString(1)).append('\n');
    }
    return out.toString();
  }

  /**
   * rows the scans of playback_sessions returned, over all the ranges: what the join of ranges and
   * scans produced (run once; a scan's own rows are a per-loop average, rounded)
   */
  private static long scanned(JsonObject node) {
    if (node.getString("Node Type").equals("Nested Loop"))
      return Math.round(node.getDouble("Actual Rows") * node.getDouble("Actual Loops"));
    JsonArray children = node.getJsonArray("Plans");
    if (children != null)
      for (int i = 0; i < children.size(); i++) {
        long n = scanned(children.getJsonObject(i));
        if (n >= 0) return n;
      }
    return -1;
  }

  private static Instant instant(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }
}
