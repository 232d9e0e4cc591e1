package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17's freshness rule: a start or an end committed on node a shows in every "today" figure of
 * node b (summary, daily today, plays, top-users, popular day and week) within 2 s — for the cached
 * ones on the very first read after the change, the caches having been filled just before (a quiet
 * spell: nothing changed since they were filled). Roll-ups run only when a start or end asks for
 * one (the periodic interval is a day). min_play_seconds 0 makes a just-started session a play of
 * its title, so the start itself must show in popular.
 */
class FreshTodayClusterTest {

  static final Duration BOUND = Duration.ofSeconds(2);

  @RegisterExtension
  static final FreshCluster cluster =
      new FreshCluster(Addresses.SESSION_STARTED, Addresses.SESSION_ENDED);

  static final TestNode a = cluster.a();
  static final TestNode b = cluster.b();
  static final UUID USER = UUID.fromString("40000000-0000-0000-0000-000000000001");
  static final UUID CONTENT = UUID.fromString("50000000-0000-0000-0000-000000000001");
  static final Set<String> seenOnB = cluster.heardOnB;

  @Test
  void aStartAndAnEndShowInEveryTodayFigureOfTheOtherNodeOnTheFirstRead() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Figures before = Figures.read(b, today);
    assertEquals(before, Figures.read(b, today), "nothing changed: the cached answers");
    UUID id = UUID.randomUUID();
    // ten minutes ago, but never before today's midnight (UTC): the figures read are today's
    Instant startedAt = Instant.now().minusSeconds(600);
    Instant midnight = today.atStartOfDay(ZoneOffset.UTC).toInstant();
    if (startedAt.isBefore(midnight)) startedAt = midnight;

    var started =
        a.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            FreshCluster.movieStart(id, USER, CONTENT, startedAt)
                .put("user_name", "fresh")
                .put("content_title", "Fresh")
                .put("client_name", "Plex Web")
                .put("ip_address", "10.9.8.7"));
    long t0 = System.nanoTime();
    assertEquals(201, started.statusCode(), started.bodyAsString());
    // the event has reached node b (its gateways got it in the same delivery): the next read is the
    // first after the change, and must show it
    Await.until(
        BOUND,
        "the start event on node b",
        () -> seenOnB.contains(Addresses.SESSION_STARTED + ":" + id));
    Figures afterStart = Figures.read(b, today);
    assertEquals(before.activeStreams + 1, afterStart.activeStreams, afterStart.toString());
    assertEquals(before.summarySessions + 1, afterStart.summarySessions, afterStart.toString());
    assertEquals(before.summaryUsers + 1, afterStart.summaryUsers, afterStart.toString());
    assertEquals(before.dailySessions + 1, afterStart.dailySessions, afterStart.toString());
    assertEquals(before.dailyUsers + 1, afterStart.dailyUsers, afterStart.toString());
    assertEquals(1, afterStart.userPlays, afterStart.toString());
    assertEquals(1, afterStart.topUserPlays, afterStart.toString());
    assertTrue(
        System.nanoTime() - t0 < BOUND.toNanos(), "first read within 2 s of the start's 201");
    // popular is the roll-up's: the start asked node a for one, announced by events.stats.updated
    Await.until(
        BOUND,
        "the start in popular day and week on node b",
        () -> {
          Figures f = Figures.read(b, today);
          return f.popularDayPlays == 1 && f.popularWeekPlays == 1;
        });
    assertTrue(System.nanoTime() - t0 < BOUND.toNanos() + Duration.ofMillis(500).toNanos());

    var ended = a.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null);
    long t1 = System.nanoTime();
    assertEquals(204, ended.statusCode(), ended.bodyAsString());
    Await.until(
        BOUND,
        "the end event on node b",
        () -> seenOnB.contains(Addresses.SESSION_ENDED + ":" + id));
    Figures afterEnd = Figures.read(b, today);
    // ten minutes played since the reported start
    assertEquals(before.activeStreams, afterEnd.activeStreams, afterEnd.toString());
    assertTrue(afterEnd.dailyMinutes >= before.dailyMinutes + 9, afterEnd.toString());
    assertTrue(afterEnd.summaryWatchHours >= before.summaryWatchHours + 0.15, afterEnd.toString());
    assertTrue(afterEnd.userMinutes >= 9, afterEnd.toString());
    assertTrue(afterEnd.topUserMinutes >= 9, afterEnd.toString());
    assertTrue(System.nanoTime() - t1 < BOUND.toNanos(), "first read within 2 s of the end's 204");
    Await.until(
        BOUND,
        "the end in popular day and week on node b",
        () -> {
          Figures f = Figures.read(b, today);
          return f.popularDayMinutes >= 9 && f.popularWeekMinutes >= 9;
        });
  }

  /** every "today" figure node b answers, read once each */
  record Figures(
      long activeStreams,
      long summarySessions,
      long summaryUsers,
      double summaryWatchHours,
      long dailySessions,
      long dailyUsers,
      long dailyMinutes,
      long userPlays,
      long userMinutes,
      long topUserPlays,
      long topUserMinutes,
      long popularDayPlays,
      long popularDayMinutes,
      long popularWeekPlays,
      long popularWeekMinutes) {

    static Figures read(TestNode node, LocalDate today) {
      JsonObject summary = ok(node, "/api/v1/analytics/stats/summary");
      JsonObject daily =
          ok(node, "/api/v1/analytics/stats/daily?start=" + today.minusDays(6) + "&end=" + today)
              .getJsonArray("items")
              .getJsonObject(6);
      assertEquals(today.toString(), daily.getString("date"));
      JsonObject plays =
          find(
              ok(
                  node,
                  "/api/v1/analytics/stats/plays?start="
                      + today
                      + "&end="
                      + today
                      + "&group_by=user"),
              "key",
              USER.toString());
      JsonObject top =
          find(
              ok(node, "/api/v1/analytics/stats/top-users?window=day&limit=100"),
              "user_id",
              USER.toString());
      JsonObject day =
          find(
              ok(node, "/api/v1/analytics/popular?window=day&limit=100"),
              "content_id",
              CONTENT.toString());
      JsonObject week =
          find(
              ok(node, "/api/v1/analytics/popular?window=week&limit=100"),
              "content_id",
              CONTENT.toString());
      return new Figures(
          summary.getLong("active_streams"),
          summary.getLong("sessions_today"),
          summary.getLong("unique_users_today"),
          summary.getDouble("watch_hours_today"),
          daily.getLong("total_sessions"),
          daily.getLong("unique_users"),
          daily.getLong("total_duration_minutes"),
          plays.getLong("plays", 0L),
          plays.getLong("watch_minutes", 0L),
          top.getLong("plays", 0L),
          top.getLong("watch_minutes", 0L),
          day.getLong("play_count", 0L),
          day.getLong("total_watch_minutes", 0L),
          week.getLong("play_count", 0L),
          week.getLong("total_watch_minutes", 0L));
    }

    static JsonObject ok(TestNode node, String path) {
      var res = node.get(path, TestNode.VIEWER_KEY);
      assertEquals(200, res.statusCode(), path + ": " + res.bodyAsString());
      return res.bodyAsJsonObject();
    }

    static JsonObject find(JsonObject answer, String field, String value) {
      return answer.getJsonArray("items").stream()
          .map(o -> (JsonObject) o)
          .filter(o -> value.equals(o.getString(field)))
          .findFirst()
          .orElse(new JsonObject());
    }
  }
}
