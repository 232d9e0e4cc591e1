package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.stats.Seed;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An import's history is re-rolled once, by the roll-up the importer asks for after its commit: the
 * runs after it (periodic, change-triggered) do not find the imported rows again through the
 * late-report path while the watermark is still behind the import's transaction start, but still
 * find a live session reported late after the import.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportRolledOnceTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("retention_days", 36_500)
                      .put("rollup_interval_seconds", 3600)));

  static final TestNode node = nodes.node();

  @TempDir static Path dir;

  static final String ROLLED = "SELECT cardinality(imports_rolled) FROM rollup_state";

  @Test
  @Order(1)
  void theRunsAfterAnImportsRollUpLeaveItsDaysAloneButNotALiveLateReport() {
    Seed.startupJobsDone(node);
    importTautulli();

    // the import's roll-up recorded the rows' created_at (its transaction's start) as rolled up
    assertEquals(1, node.count(ROLLED));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM rollup_state WHERE imports_rolled[1] = "
                + "(SELECT min(created_at) FROM playback_sessions WHERE ended_reason = 'imported')"
                + " AND imports_rolled[1] = (SELECT max(created_at) FROM playback_sessions"
                + " WHERE ended_reason = 'imported') AND imports_rolled[1] > late_watermark"));
    assertEquals(2, day("2024-03-03").getInteger("total_sessions"));

    // figures a recompute would put right: any run that re-rolls the imported days shows
    node.sql("UPDATE daily_stats SET total_sessions = 999 WHERE day = date '2024-03-03'");
    rollup();
    rollup();
    assertEquals(999, sessionsOn("2024-03-03"));

    // a live session reported late after the import, through the REST start and end: started two
    // days ago, so its day is a past one only the late-report path re-rolls once it is final (two,
    // not one: yesterday is not final in the first ten minutes after midnight UTC)
    LocalDate pastDay = LocalDate.now(ZoneOffset.UTC).minusDays(2);
    String startedAt = pastDay.atTime(12, 0).toInstant(ZoneOffset.UTC).toString();
    HttpResponse<Buffer> started =
        node.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()).put("started_at", startedAt));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> ended =
        node.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null);
    assertTrue(ended.statusCode() < 300, ended.bodyAsString());
    // the start and the end each trigger a run; one of them counts it
    Await.until(
        Duration.ofSeconds(30),
        "the late session's day rolled up and final",
        () ->
            node.count(
                    "SELECT count(*) FROM daily_stats WHERE day = date '"
                        + pastDay
                        + "' AND total_sessions = 1 AND finalized")
                == 1);
    // final and wrong: only a late-report re-roll puts it right
    node.sql(
        "UPDATE daily_stats SET total_sessions = 999 WHERE day = date '"
            + pastDay
            + "' AND finalized");
    rollup();
    assertEquals(1, sessionsOn(pastDay.toString()));
    // ... and still not the import's days
    assertEquals(999, sessionsOn("2024-03-03"));

    // once the watermark passes the stamp, the stamp goes (the watermark alone leaves the rows out)
    node.sql("UPDATE rollup_state SET late_watermark = imports_rolled[1]");
    rollup();
    assertEquals(0, node.count(ROLLED));
    assertEquals(999, sessionsOn("2024-03-03"));
  }

  /**
   * The one row the stamp's ranges could leave out: a live late session whose transaction began in
   * the very microsecond the import's did. The roll-up does not record a stamp while a transaction
   * that started then is still open (here: a JDBC transaction standing in for the live start).
   */
  @Test
  @Order(2)
  void aStampIsNotRecordedWhileATransactionThatStartedThenIsOpen() throws Exception {
    String from = "2024-03-01T00:00:00Z";
    String to = "2024-03-06T00:00:00Z";
    try (Connection twin = TestDatabase.connect(node.database());
        Statement st = twin.createStatement()) {
      twin.setAutoCommit(false);
      OffsetDateTime began;
      try (ResultSet rs = st.executeQuery("SELECT now()")) {
        rs.next();
        began = rs.getObject(1, OffsetDateTime.class);
      }
      rollup(
          new JsonObject()
              .put("late_from", from)
              .put("late_to", to)
              .put("imported_at", began.toInstant().toString()));
      assertEquals(0, node.count(ROLLED), "recorded while a twin transaction was open");
      twin.commit();

      rollup(
          new JsonObject()
              .put("late_from", from)
              .put("late_to", to)
              .put("imported_at", began.toInstant().toString()));
      assertEquals(
          1,
          node.count(
              "SELECT count(*) FROM rollup_state WHERE imports_rolled = ARRAY[timestamptz '"
                  + began
                  + "']"));
    }
  }

  static void importTautulli() {
    // completed = committed and rolled up
    ImportFixtures.importCompleted(node, dir, "tautulli", ImportFixtures.TAUTULLI);
  }

  /** straight from daily_stats: the API's past part may be cached, and the tampering bypasses it */
  static long sessionsOn(String date) {
    return node.count("SELECT total_sessions FROM daily_stats WHERE day = date '" + date + "'");
  }

  static JsonObject day(String date) {
    return ImportFixtures.day(node, date);
  }

  static void rollup() {
    rollup(new JsonObject());
  }

  static void rollup(JsonObject cmd) {
    TestNode.await(node.app().vertx().eventBus().<JsonObject>request(Addresses.STATS_ROLLUP, cmd));
  }
}
