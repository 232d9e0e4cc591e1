package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * History older than {@code retention_days} whose days already have roll-ups (zero rows left by an
 * earlier back-fill, final): the import's rows are counted in those days all the same, because
 * retention never purged raw sessions there, and the imported raw rows are not purged before a
 * roll-up has counted them.
 */
class ImportOldDaysTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject().put("retention_days", 30).put("rollup_interval_seconds", 3600)));

  static final TestNode node = nodes.node();

  @TempDir static Path dir;

  @Test
  void importedDaysOlderThanRetentionWithFinalRollupsAreRecomputed() {
    // what a back-fill leaves for days nobody watched: a final zero row each
    node.sql(
        """
        INSERT INTO daily_stats (day, total_sessions, total_duration_seconds, unique_users, total_bytes,
                                 transcoded_sessions, peak_concurrent_streams, finalized)
        SELECT d::date, 0, 0, 0, 0, 0, 0, true
        FROM generate_series(date '2024-02-25', date '2024-03-08', interval '1 day') d""");
    assertEquals(0, day("2024-03-03").getInteger("total_sessions"));

    importFile("tautulli", ImportFixtures.TAUTULLI);

    // the same hand-computed figures as ImportHistoryTest's (stopped − started − paused, bandwidth
    // × played): sessions, minutes, users, transcodes, peak
    assertDay("2024-03-01", 1, 55, 1, 0, 1);
    assertDay("2024-03-02", 2, 47, 1, 2, 1);
    assertDay("2024-03-03", 2, 136, 1, 1, 1);
    assertDay("2024-03-04", 1, 5, 1, 0, 1);
    assertDay("2024-03-05", 1, 15, 1, 0, 1);
    assertEquals(
        (45_000 * 125.0 * 5400 + 8_000 * 125.0 * 2760) / 1e9,
        day("2024-03-03").getDouble("total_bandwidth_gb"),
        0.0011);
    assertEquals(0, day("2024-03-06").getInteger("total_sessions"));

    // retention may purge the imported raw rows once a roll-up counted them; the days stay
    retention();
    assertDay("2024-03-03", 2, 136, 1, 1, 1);
  }

  @Test
  void retentionKeepsRowsReportedLateUntilARollUpHasCountedThem() {
    // days retention never purged: the other tests' imports, once their roll-ups have counted them,
    // may be purged (their days are older than retention_days), which moves the raw horizon past
    // 2023 (a late report before it is not counted); this test is about a database without that
    node.sql("UPDATE rollup_state SET raw_complete_from = NULL");
    node.sql(
        """
        INSERT INTO daily_stats (day, total_sessions, total_duration_seconds, unique_users, total_bytes,
                                 transcoded_sessions, peak_concurrent_streams, finalized)
        SELECT d::date, 0, 0, 0, 0, 0, 0, true
        FROM generate_series(date '2023-05-01', date '2023-05-03', interval '1 day') d""");
    // as a move-in leaves them: ended long ago, created now
    node.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_key, ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason,
          bytes_transferred)
        SELECT gen_random_uuid(), '20000000-0000-0000-0000-000000000001', 'movie',
               '00000000-0000-0000-0000-0000000000b1', 'Old film', 'c', 'd', 'k', '10.0.0.1', 'ended',
               timestamptz '2023-05-02 12:00Z' + i * interval '1 hour',
               timestamptz '2023-05-02 12:30Z' + i * interval '1 hour',
               timestamptz '2023-05-02 12:30Z' + i * interval '1 hour', 1800, 'imported', 0
        FROM generate_series(0, 2) i""");
    String late =
        "SELECT count(*) FROM playback_sessions WHERE user_id = '20000000-0000-0000-0000-000000000001'";

    retention();
    assertEquals(3, node.count(late), "retention kept the rows no roll-up has counted");

    // counted by a roll-up, they may go with their days (once the roll-up's 5-minute watermark
    // margin has passed), and the days keep them
    rollup();
    assertEquals(3, day("2023-05-02").getInteger("total_sessions"));
    retention();
    assertEquals(3, day("2023-05-02").getInteger("total_sessions"));
  }

  @Test
  void anImportReRollsTheDaysItSpansAndNoOthers() {
    // a recent final day whose stored figures a re-roll would change (it has no raw session): an
    // import of 2024 history must leave it alone, as it must leave months of live history alone
    java.time.LocalDate recent = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(3);
    node.sql(
        """
        INSERT INTO daily_stats (day, total_sessions, total_duration_seconds, unique_users, total_bytes,
                                 transcoded_sessions, peak_concurrent_streams, finalized)
        VALUES (date '%s', 7, 4200, 3, 0, 0, 2, true)"""
            .formatted(recent));

    importFile("jellystat", ImportFixtures.JELLYSTAT);

    // the imported days are counted (Jellystat rows on 2024-03-10 and 2024-03-11) ...
    org.junit.jupiter.api.Assertions.assertTrue(
        day("2024-03-10").getInteger("total_sessions") >= 1, () -> day("2024-03-10").encode());
    // ... and the recent day was not recomputed: it still says what it said
    JsonObject kept = day(recent.toString());
    assertEquals(7, kept.getInteger("total_sessions"), kept::encode);
    assertEquals(3, kept.getInteger("unique_users"), kept::encode);
  }

  static void importFile(String source, String fixture) {
    ImportFixtures.importCompleted(node, dir, source, fixture);
  }

  static void retention() {
    TestNode.await(
        node.app()
            .vertx()
            .eventBus()
            .<JsonObject>request(Addresses.STATS_RETENTION, new JsonObject()));
  }

  static void rollup() {
    io.tracearr.analytics.stats.Seed.rollup(node);
  }

  static JsonObject day(String date) {
    return ImportFixtures.day(node, date);
  }

  static void assertDay(
      String date, int sessions, int minutes, int users, int transcoded, int peak) {
    JsonObject d = day(date);
    assertEquals(sessions, d.getInteger("total_sessions"), d::encode);
    assertEquals(minutes, d.getInteger("total_duration_minutes"), d::encode);
    assertEquals(users, d.getInteger("unique_users"), d::encode);
    assertEquals(transcoded, d.getInteger("transcoded_sessions"), d::encode);
    assertEquals(peak, d.getInteger("peak_concurrent_streams"), d::encode);
  }
}
