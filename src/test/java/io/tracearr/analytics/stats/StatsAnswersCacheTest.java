package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.gateway.StatsRoutes;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * stats/daily and popular are answered from each gateway's memory: today's live row is at most
 * {@link StatsRoutes#LIVE_MAX_AGE} (plus one query) behind, popular stays as of the last roll-up
 * until the next one completes — on any node of the cluster.
 */
class StatsAnswersCacheTest {

  @RegisterExtension
  static final NodeExtension cluster =
      NodeExtension.cluster(
          2,
          new JsonObject()
              // one gateway instance per node: each instance keeps its own answers, and the popular
              // test below changes
              // a table behind the roll-ups' back, which an instance never asked before would show
              // at once
              .put("http", new JsonObject().put("instances", 1))
              // a day-long interval: only the roll-ups this test asks for run
              .put("analytics", new JsonObject().put("rollup_interval_seconds", 86_400))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  static final TestNode a = cluster.node(0);
  static final TestNode b = cluster.node(1);
  static Seed seed = new Seed();

  @BeforeAll
  static void prepare() {
    Seed.startupJobsDone(a);
  }

  @Test
  void aNewSessionIsInTodaysFiguresWithinTheBound() {
    LocalDate today = seed.today();
    long before = todaySessions(b, today);
    assertEquals(before, todaySessions(b, today), "served from memory, unchanged");
    var res =
        a.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            new JsonObject()
                .put("user_id", Seed.user(31).toString())
                .put("content_type", "movie")
                .put("content_id", Seed.content('a').toString())
                .put("content_title", "Alpha")
                .put("client_name", "Plex Web")
                .put("device_name", "Chrome")
                .put("ip_address", "10.1.2.3"));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    // the bound plus a generous allowance for one live query on a busy machine
    Await.until(
        StatsRoutes.LIVE_MAX_AGE.plusSeconds(5),
        "the new session in today's figures",
        () -> todaySessions(b, today) == before + 1);
    Await.until(
        StatsRoutes.LIVE_MAX_AGE.plusSeconds(5),
        "the new session in today's figures on the other node",
        () -> todaySessions(a, today) == before + 1);
    // the start also re-rolls today on node a (trigger "change"); once it ran, its
    // events.stats.updated cannot land in the middle of the next test's cache checks
    Await.until(
        Duration.ofSeconds(10),
        "the roll-up the start triggered",
        () -> a.get("/metrics", null).bodyAsString().contains("trigger=\"change\""));
  }

  @Test
  void popularStaysAsOfTheLastRollUpUntilTheNextCompletesOnAnyNode() {
    // today, which every roll-up re-rolls: an hour ago is yesterday between midnight and 1 am, a
    // final day that
    // the second roll-up would leave alone (the seed's sessions are not reported late)
    Instant hourAgo = Instant.now().minusSeconds(3600);
    Instant t = hourAgo.isBefore(seed.at(0, "00:00")) ? seed.at(0, "00:00") : hourAgo;
    seed.ended(Seed.user(41), 'e', "movie", "Echo", t, t.plusSeconds(600), 600, 0, false).into(a);
    Seed.rollup(a);
    String first = popular(b);
    assertEquals(1, plays(first, "Echo"), first);
    assertEquals(first, popular(a));

    // what a roll-up would not write by itself: only a fresh query would show it
    a.sql(
        "UPDATE content_window_totals SET play_count = play_count + 100 WHERE content_title = 'Echo'");
    seed.ended(Seed.user(42), 'e', "movie", "Echo", t, t.plusSeconds(600), 600, 0, false).into(a);
    assertEquals(first, popular(b), "as of the last roll-up");
    assertEquals(first, popular(a), "as of the last roll-up");

    Seed.rollup(a); // on node a only: node b learns it from events.stats.updated
    Await.until(
        Duration.ofSeconds(10),
        "node b to answer the new roll-up",
        () -> plays(popular(b), "Echo") == 102);
    assertEquals(102, plays(popular(a), "Echo"));
  }

  private static long todaySessions(TestNode node, LocalDate today) {
    var items = node.daily(today.minusDays(364), today, TestNode.VIEWER_KEY);
    JsonObject last = items.getJsonObject(items.size() - 1);
    assertEquals(today.toString(), last.getString("date"));
    return last.getLong("total_sessions");
  }

  private static String popular(TestNode node) {
    var res = node.get("/api/v1/analytics/popular?window=week", TestNode.VIEWER_KEY);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsString();
  }

  private static long plays(String popular, String title) {
    return new JsonObject(popular)
        .getJsonArray("items").stream()
            .map(o -> (JsonObject) o)
            .filter(o -> title.equals(o.getString("content_title")))
            .mapToLong(o -> o.getLong("play_count"))
            .sum();
  }
}
