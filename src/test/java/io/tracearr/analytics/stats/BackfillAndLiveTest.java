package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.Seed.day;
import static io.tracearr.analytics.stats.Seed.norm;
import static io.tracearr.analytics.stats.Seed.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that starts on a database holding sessions of days never rolled up back-fills them; today
 * is answered live before any roll-up has seen it; a late report re-rolls a day already final.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackfillAndLiveTest {

  static Seed seed = new Seed();
  static LocalDate today;

  // a day-long interval: only the startup back-fill (and the day's first periodic slot) run during
  // this test
  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.seededHistory().seededBeforeBoot(BackfillAndLiveTest::daysNeverRolledUp);

  static final TestNode node = nodes.node();

  /** Written before the node boots, so its startup back-fill finds them. */
  static void daysNeverRolledUp(DatabaseUrl db) {
    today = seed.today();
    seed.ended(
            user(1),
            'a',
            "movie",
            "Alpha",
            seed.at(60, "20:00"),
            seed.at(60, "21:00"),
            3000,
            1_500_000_000L,
            true)
        .ended(
            user(1),
            'b',
            "episode",
            "Beta",
            seed.at(5, "10:00"),
            seed.at(5, "10:45"),
            2700,
            0,
            false)
        .ended(
            user(2),
            'b',
            "episode",
            "Beta",
            seed.at(5, "10:30"),
            seed.at(5, "11:00"),
            1799,
            2_000_000L,
            true);
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      st.execute(seed.sql());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(1)
  void missingDaysAreBackFilledAtStartup() {
    Await.until(
        Duration.ofSeconds(60), "the startup back-fill to finish", () -> runs("startup") == 1);
    // and the day's first periodic slot, so that nothing rolls up behind the next tests' backs
    Seed.startupJobsDone(node);
    assertEquals(
        60,
        node.count("SELECT count(*) FROM daily_stats WHERE day < '" + today + "'"),
        "every past day since the first session, empty ones included");
    // yesterday is final from 00:10 on; every day before it is already
    assertEquals(
        59,
        node.count(
            "SELECT count(*) FROM daily_stats WHERE finalized AND day < '"
                + today.minusDays(1)
                + "'"));
    assertEquals(
        List.of(day(today.minusDays(60), 1, 50, 1, 1.5, 1, 1)),
        daily(today.minusDays(60), today.minusDays(60)));
    assertEquals(
        List.of(day(today.minusDays(5), 2, 74, 2, 0.002, 1, 2)),
        daily(today.minusDays(5), today.minusDays(5)));
  }

  @Test
  @Order(2)
  void todayIsLiveBeforeTheNextRollUp() {
    String first = start(user(7), null);
    start(user(8), null);
    // no roll-up has seen these two yet...
    assertEquals(
        0,
        node.count(
            "SELECT COALESCE(max(total_sessions), 0) FROM daily_stats WHERE day = '"
                + today
                + "'"));
    // ...but the endpoints answer live
    JsonObject live = daily(today, today).get(0);
    assertEquals(2, live.getInteger("total_sessions"));
    assertEquals(2, live.getInteger("unique_users"));
    assertEquals(2, live.getInteger("peak_concurrent_streams"));
    JsonObject summary =
        node.get("/api/v1/analytics/stats/summary", TestNode.VIEWER_KEY).bodyAsJsonObject();
    assertEquals(2, summary.getInteger("active_streams"));
    assertEquals(2, summary.getInteger("sessions_today"));
    assertEquals(2, summary.getInteger("unique_users_today"));
    // the query object dashboard snapshots read answers the same, live
    StatsRepository stats =
        new StatsRepository(
            node.app().node().pool(),
            new StatsCalendar(node.app().config().analytics().timezone()));
    JsonObject snapshot = TestNode.await(stats.liveDay(stats.calendar().today())).toJson();
    assertEquals(live, norm(snapshot));

    assertEquals(
        204,
        node.delete("/api/v1/analytics/sessions/" + first, TestNode.INGEST_KEY, null).statusCode());
    assertEquals(
        1,
        node.get("/api/v1/analytics/stats/summary", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getInteger("active_streams"));
  }

  @Test
  @Order(3)
  void eachRollUpPublishesTodaysStats() {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    var consumer =
        node.app()
            .vertx()
            .eventBus()
            .<JsonObject>consumer(Addresses.STATS_UPDATED, m -> events.add(m.body()));
    TestNode.await(consumer.completion());
    try {
      JsonObject rolled = Seed.rollup(node);
      Await.until(Duration.ofSeconds(10), "a stats.updated event", () -> !events.isEmpty());
      assertEquals(today.toString(), events.get(0).getString("date"));
      assertEquals(2, events.get(0).getInteger("total_sessions"));
      assertEquals(norm(rolled), norm(events.get(0)));
      assertEquals(
          2, node.count("SELECT total_sessions FROM daily_stats WHERE day = '" + today + "'"));
    } finally {
      TestNode.await(consumer.unregister());
    }
  }

  @Test
  @Order(4)
  void aLateReportReRollsAFinalDay() {
    LocalDate d3 = today.minusDays(3);
    assertEquals(
        1, node.count("SELECT count(*) FROM daily_stats WHERE day = '" + d3 + "' AND finalized"));
    assertEquals(day(d3, 0, 0, 0, 0.0, 0, 0), daily(d3, d3).get(0));
    // an offline client reports a session of three days ago, start and end
    String id = start(user(9), seed.at(3, "18:00").toString());
    var end =
        node.delete(
            "/api/v1/analytics/sessions/" + id,
            TestNode.INGEST_KEY,
            new JsonObject().put("ended_at", seed.at(3, "18:40").toString()));
    assertEquals(204, end.statusCode(), end.bodyAsString());
    Seed.rollup(node);
    JsonObject after = daily(d3, d3).get(0);
    assertEquals(1, after.getInteger("total_sessions"));
    assertEquals(1, after.getInteger("peak_concurrent_streams"));
    assertEquals(
        40, after.getInteger("total_duration_minutes"), "played from start to end: 40 minutes");
    assertEquals(
        1, node.count("SELECT count(*) FROM daily_stats WHERE day = '" + d3 + "' AND finalized"));
  }

  private static String start(UUID user, String startedAt) {
    JsonObject body =
        new JsonObject()
            .put("user_id", user.toString())
            .put("content_type", "movie")
            .put("content_id", Seed.content('a').toString())
            .put("content_title", "Alpha")
            .put("client_name", "Plex Web")
            .put("device_name", "Chrome")
            .put("ip_address", "10.1.2.3");
    if (startedAt != null) body.put("started_at", startedAt);
    var res = node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, body);
    assertEquals(201, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getString("id");
  }

  private static List<JsonObject> daily(LocalDate start, LocalDate end) {
    return node.daily(start, end, TestNode.VIEWER_KEY).stream()
        .map(o -> norm((JsonObject) o))
        .toList();
  }

  private static double runs(String trigger) {
    var counter =
        node.app()
            .node()
            .metrics()
            .registry()
            .find("analytics_rollup_runs")
            .tag("trigger", trigger)
            .tag("outcome", "done")
            .counter();
    assertTrue(counter == null || counter.count() <= 1, "one startup back-fill");
    return counter == null ? 0 : counter.count();
  }
}
