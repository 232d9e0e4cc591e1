package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.Seed.content;
import static io.tracearr.analytics.stats.Seed.day;
import static io.tracearr.analytics.stats.Seed.norm;
import static io.tracearr.analytics.stats.Seed.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hand-computed fixture (UTC days, min_play_seconds 30) and the exact figures every endpoint must
 * give for it. Days are relative to today: D-1, D-2, D-3 (empty), D-10, D-40, D-400, and today.
 *
 * <pre>
 * D-2  s1  u1 A 10:00-12:00 played 6000 (paused 20 min) 3.0 GB transcoded
 *      s2  u2 A 11:00-11:30 played 1800                 0.5 GB
 *      s3  u3 B 11:15-11:45 played   20 (not a play)    1 MB
 *      s4  u1 B 11:30-13:00 played 5400                 1.23456789 GB transcoded (starts as s2 ends: no overlap)
 *      s5  u2 C 23:30-00:45 (next day) played 4500      0.1 GB  (spans midnight)
 *      -> 5 sessions, 17720 s = 295 min, 3 users, 4.836 GB, 2 transcoded, peak 3 (11:15-11:45)
 * D-1  s6  u3 A 00:30-01:00 1800; s7 u4 A 00:40-02:00 4800 2.0 GB transcoded;
 *      s8  u1 E 20:00-20:00:29 played 29 (not a play); s9 u1 E 21:00-21:30 played 30 (a play) 30 bytes
 *      -> 4 sessions, 6659 s = 110 min, 3 users, 2.000 GB, 1 transcoded, peak 3 (00:40-00:45 with s5)
 * D-10 s10 u4 C 08:00-09:00 3600; s11 u3 C 08:30-09:30 3600; s12 u2 B 09:00-09:10 600; s13 u1 C 10:00-10:30 1800
 *      -> 4 sessions, 9600 s = 160 min, 4 users, peak 2
 * D-40 s14, s15 u1 A 12:00-13:00 and 14:00-15:00, 3600 each (title then "Alpha (old)")
 * D-400 s16 u2 E 12:00-13:00 3600; s17 u3 E 12:30-13:00 1800; s18 u4 E 12:45-13:00 900 -> peak 3
 * today s19 u2 B played 100; s20 u3 B played 200; s21 u4 A played 40; s22 u1 C open, played 10
 * </pre>
 */
class StatsFixtureTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("min_play_seconds", 30))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  static final TestNode node = nodes.node();
  static Seed seed = new Seed();
  static LocalDate today;

  @BeforeAll
  static void prepare() {
    today = seed.today();
    seed.ended(
            user(1),
            'a',
            "movie",
            "Alpha",
            seed.at(2, "10:00"),
            seed.at(2, "12:00"),
            6000,
            3_000_000_000L,
            true)
        .ended(
            user(2),
            'a',
            "movie",
            "Alpha",
            seed.at(2, "11:00"),
            seed.at(2, "11:30"),
            1800,
            500_000_000L,
            false)
        .ended(
            user(3),
            'b',
            "episode",
            "Beta",
            seed.at(2, "11:15"),
            seed.at(2, "11:45"),
            20,
            1_000_000L,
            false)
        .ended(
            user(1),
            'b',
            "episode",
            "Beta",
            seed.at(2, "11:30"),
            seed.at(2, "13:00"),
            5400,
            1_234_567_890L,
            true)
        .ended(
            user(2),
            'c',
            "track",
            "Gamma",
            seed.at(2, "23:30"),
            seed.at(1, "00:45"),
            4500,
            100_000_000L,
            false)
        .ended(
            user(3),
            'a',
            "movie",
            "Alpha",
            seed.at(1, "00:30"),
            seed.at(1, "01:00"),
            1800,
            0,
            false)
        .ended(
            user(4),
            'a',
            "movie",
            "Alpha",
            seed.at(1, "00:40"),
            seed.at(1, "02:00"),
            4800,
            2_000_000_000L,
            true)
        .ended(
            user(1),
            'e',
            "movie",
            "Epsilon",
            seed.at(1, "20:00"),
            seed.at(1, "20:00").plusSeconds(29),
            29,
            10,
            false)
        .ended(
            user(1),
            'e',
            "movie",
            "Epsilon",
            seed.at(1, "21:00"),
            seed.at(1, "21:30"),
            30,
            20,
            false)
        .ended(
            user(4),
            'c',
            "track",
            "Gamma",
            seed.at(10, "08:00"),
            seed.at(10, "09:00"),
            3600,
            0,
            false)
        .ended(
            user(3),
            'c',
            "track",
            "Gamma",
            seed.at(10, "08:30"),
            seed.at(10, "09:30"),
            3600,
            0,
            false)
        .ended(
            user(2),
            'b',
            "episode",
            "Beta",
            seed.at(10, "09:00"),
            seed.at(10, "09:10"),
            600,
            0,
            false)
        .ended(
            user(1),
            'c',
            "track",
            "Gamma",
            seed.at(10, "10:00"),
            seed.at(10, "10:30"),
            1800,
            0,
            false)
        .ended(
            user(1),
            'a',
            "movie",
            "Alpha (old)",
            seed.at(40, "12:00"),
            seed.at(40, "13:00"),
            3600,
            0,
            false)
        .ended(
            user(1), 'a', "movie", null, seed.at(40, "14:00"), seed.at(40, "15:00"), 3600, 0, false)
        .ended(
            user(2),
            'e',
            "movie",
            "Epsilon",
            seed.at(400, "12:00"),
            seed.at(400, "13:00"),
            3600,
            0,
            false)
        .ended(
            user(3),
            'e',
            "movie",
            "Epsilon",
            seed.at(400, "12:30"),
            seed.at(400, "13:00"),
            1800,
            0,
            false)
        .ended(
            user(4),
            'e',
            "movie",
            "Epsilon",
            seed.at(400, "12:45"),
            seed.at(400, "13:00"),
            900,
            0,
            false);
    // today: a little before now (or at midnight if the day has just begun), all ended by now
    Instant t0 = Instant.now().minus(Duration.ofMinutes(30));
    Instant midnight = seed.at(0, "00:00");
    if (t0.isBefore(midnight)) t0 = midnight;
    seed.ended(user(2), 'b', "episode", "Beta", t0, t0.plusSeconds(100), 100, 0, false)
        .ended(
            user(3), 'b', "episode", "Beta", t0.plusSeconds(10), t0.plusSeconds(210), 200, 0, false)
        .ended(user(4), 'a', "movie", "Alpha", t0.plusSeconds(20), t0.plusSeconds(60), 40, 0, false)
        .open(user(1), 'c', "track", "Gamma", t0.plusSeconds(30), 10)
        .into(node);
    node.sql(
        """
        INSERT INTO sharing_alerts (id, user_id, alert_type, severity, evidence, status, dismissed_at) VALUES
          (gen_random_uuid(), '%s', 'concurrent_streams', 'high', '{}', 'open', NULL),
          (gen_random_uuid(), '%s', 'device_spike', 'low', '{}', 'dismissed', now())"""
            .formatted(user(1), user(2)));
    Seed.rollup(node);
  }

  // ---- daily stats
  // --------------------------------------------------------------------------------------

  @Test
  void dailyStatsAreExactAndEmptyDaysAreZeros() {
    JsonObject body =
        ok(
            "/api/v1/analytics/stats/daily?start="
                + today.minusDays(3)
                + "&end="
                + today.minusDays(1));
    assertEquals("UTC", body.getString("timezone"));
    assertEquals(
        List.of(
            day(today.minusDays(3), 0, 0, 0, 0.0, 0, 0),
            day(today.minusDays(2), 5, 295, 3, 4.836, 2, 3),
            day(today.minusDays(1), 4, 110, 3, 2.0, 1, 3)),
        items(body));
  }

  @Test
  void olderDaysAndTodayLive() {
    assertEquals(
        List.of(day(today.minusDays(10), 4, 160, 4, 0.0, 0, 2)),
        items(
            ok(
                "/api/v1/analytics/stats/daily?start="
                    + today.minusDays(10)
                    + "&end="
                    + today.minusDays(10))));
    assertEquals(
        List.of(day(today.minusDays(400), 3, 105, 3, 0.0, 0, 3)),
        items(
            ok(
                "/api/v1/analytics/stats/daily?start="
                    + today.minusDays(400)
                    + "&end="
                    + today.minusDays(400))));
    // today: 4 sessions (one still open), 350 s played, the open one and the ended ones overlap
    JsonObject todayStat =
        items(ok("/api/v1/analytics/stats/daily?start=" + today + "&end=" + today.plusDays(1)))
            .get(0);
    assertEquals(4, todayStat.getInteger("total_sessions"));
    assertEquals(5, todayStat.getInteger("total_duration_minutes"));
    assertEquals(4, todayStat.getInteger("unique_users"));
    assertEquals(4, todayStat.getInteger("peak_concurrent_streams"));
    // the future is zeros
    assertEquals(
        day(today.plusDays(1), 0, 0, 0, 0.0, 0, 0),
        items(ok("/api/v1/analytics/stats/daily?start=" + today + "&end=" + today.plusDays(1)))
            .get(1));
  }

  @Test
  void aYearOfDaysIsOneItemPerDay() {
    JsonObject body =
        ok("/api/v1/analytics/stats/daily?start=" + today.minusDays(365) + "&end=" + today);
    assertEquals(366, body.getJsonArray("items").size());
    long sessions = items(body).stream().mapToLong(d -> d.getLong("total_sessions")).sum();
    assertEquals(5 + 4 + 4 + 2 + 4, sessions);
  }

  // ---- popular
  // ------------------------------------------------------------------------------------------

  @Test
  void popularToday() {
    assertEquals(
        List.of(item('b', "episode", "Beta", 2, 2, 5), item('a', "movie", "Alpha", 1, 1, 0)),
        popular("window=day"));
  }

  @Test
  void popularWeekCountsDistinctUsersOverTheWindowNotPerDay() {
    // A: plays on D-2 (u1, u2), D-1 (u3, u4), today (u4): 5 plays, 4 distinct users (daily uniques
    // would sum to 5)
    assertEquals(
        List.of(
            item('a', "movie", "Alpha", 5, 4, 240),
            item('b', "episode", "Beta", 3, 3, 95),
            item('c', "track", "Gamma", 1, 1, 75),
            item('e', "movie", "Epsilon", 1, 1, 0)),
        popular("window=week"));
    assertEquals(popular("window=week"), popular(""), "week is the default window");
  }

  @Test
  void popularMonthBreaksPlayTiesByUniqueUsers() {
    assertEquals(
        List.of(
            item('a', "movie", "Alpha", 5, 4, 240),
            item('c', "track", "Gamma", 4, 4, 225),
            item('b', "episode", "Beta", 4, 3, 105),
            item('e', "movie", "Epsilon", 1, 1, 0)),
        popular("window=month"));
  }

  @Test
  void popularYearAndAll() {
    assertEquals(
        List.of(
            item('a', "movie", "Alpha", 7, 4, 360),
            item('c', "track", "Gamma", 4, 4, 225),
            item('b', "episode", "Beta", 4, 3, 105),
            item('e', "movie", "Epsilon", 1, 1, 0)),
        popular("window=year"));
    assertEquals(
        List.of(
            item('a', "movie", "Alpha", 7, 4, 360),
            item('c', "track", "Gamma", 4, 4, 225),
            item('e', "movie", "Epsilon", 4, 4, 105),
            item('b', "episode", "Beta", 4, 3, 105)),
        popular("window=all"));
  }

  @Test
  void popularLimitKeepsTheRankingAcrossTiesAtTheCut() {
    // the 2nd place is a three-way tie on plays (C, E, B), decided by unique users then id
    assertEquals(
        List.of(item('a', "movie", "Alpha", 7, 4, 360), item('c', "track", "Gamma", 4, 4, 225)),
        popular("window=all&limit=2"));
    assertEquals(List.of(item('a', "movie", "Alpha", 7, 4, 360)), popular("window=all&limit=1"));
  }

  @Test
  void popularByContentType() {
    assertEquals(
        List.of(item('a', "movie", "Alpha", 7, 4, 360), item('e', "movie", "Epsilon", 4, 4, 105)),
        popular("window=all&content_type=movie"));
    assertEquals(
        List.of(item('b', "episode", "Beta", 4, 3, 105)),
        popular("window=all&content_type=episode"));
    assertEquals(List.of(), popular("window=all&content_type=live"));
  }

  // ---- concurrency
  // --------------------------------------------------------------------------------------

  @Test
  void hourlyPeaksByEventSweep() {
    JsonObject body =
        ok(
            "/api/v1/analytics/stats/concurrency?start="
                + today.minusDays(2)
                + "&end="
                + today.minusDays(1)
                + "&bucket=hour");
    JsonArray items = body.getJsonArray("items");
    assertEquals(48, items.size());
    Map<Instant, Integer> expected =
        Map.of(
            seed.at(2, "10:00"),
            1,
            seed.at(2, "11:00"),
            3,
            seed.at(2, "12:00"),
            1,
            seed.at(2, "23:00"),
            1,
            seed.at(1, "00:00"),
            3,
            seed.at(1, "01:00"),
            1,
            seed.at(1, "20:00"),
            1,
            seed.at(1, "21:00"),
            1);
    for (int i = 0; i < items.size(); i++) {
      JsonObject b = items.getJsonObject(i);
      Instant start = Instant.parse(b.getString("start"));
      assertEquals(expected.getOrDefault(start, 0), b.getInteger("peak"), "peak of hour " + start);
    }
    assertEquals(seed.at(2, "00:00").toString(), items.getJsonObject(0).getString("start"));
    assertEquals(today.minusDays(2).toString(), items.getJsonObject(0).getString("date"));
  }

  @Test
  void dailyPeaks() {
    JsonObject body =
        ok(
            "/api/v1/analytics/stats/concurrency?start="
                + today.minusDays(3)
                + "&end="
                + today.minusDays(1)
                + "&bucket=day");
    List<Integer> peaks = new ArrayList<>();
    body.getJsonArray("items").forEach(o -> peaks.add(((JsonObject) o).getInteger("peak")));
    assertEquals(List.of(0, 3, 3), peaks);
  }

  // ---- summary
  // ------------------------------------------------------------------------------------------

  @Test
  void summaryIsWhatTheHeaderShows() {
    JsonObject s = ok("/api/v1/analytics/stats/summary");
    assertEquals(today.toString(), s.getString("date"));
    assertEquals(1, s.getInteger("active_streams"));
    assertEquals(4, s.getInteger("sessions_today"));
    assertEquals(4, s.getInteger("unique_users_today"));
    assertEquals(0.09, s.getDouble("watch_hours_today"), 1e-9);
    assertEquals(1, s.getInteger("open_alerts"));
  }

  // ---- idempotence
  // --------------------------------------------------------------------------------------

  @Test
  void rollingUpAgainChangesNothing() {
    String before = rollups();
    Seed.rollup(node);
    Seed.rollup(node);
    assertEquals(before, rollups());
  }

  /** every past day's roll-up rows, rolled_up_at included (an unchanged day is not rewritten) */
  private static String rollups() {
    LocalDate t = today;
    StringBuilder sb = new StringBuilder();
    sb.append(
        query(
            "SELECT string_agg(d::text, E'\\n' ORDER BY day) FROM daily_stats d WHERE day < '"
                + t
                + "'"));
    sb.append(
        query(
            "SELECT string_agg(c::text, E'\\n' ORDER BY day, content_id) FROM daily_content_stats c WHERE day < '"
                + t
                + "'"));
    sb.append(
        query(
            "SELECT string_agg(u::text, E'\\n' ORDER BY content_id, user_id) FROM content_user_last u"));
    sb.append(
        query(
            "SELECT string_agg(h::text, E'\\n' ORDER BY hour_start) FROM hourly_concurrency h WHERE hour_start < '"
                + seed.at(0, "00:00")
                + "'"));
    assertTrue(sb.length() > 100, sb::toString);
    return sb.toString();
  }

  private static String query(String sql) {
    try (var c = io.tracearr.analytics.testing.TestDatabase.connect(node.database());
        var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1) + "\n";
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  // ---- access and validation
  // ----------------------------------------------------------------------------

  @Test
  void viewersAndAdminsOnly() {
    String user = node.jwt(user(1).toString(), List.of("user"), Duration.ofMinutes(5));
    for (String path :
        List.of(
            "/api/v1/analytics/stats/summary",
            "/api/v1/analytics/popular",
            "/api/v1/analytics/stats/daily?start=" + today + "&end=" + today,
            "/api/v1/analytics/stats/concurrency?start=" + today + "&end=" + today)) {
      assertEquals(403, node.get(path, user).statusCode(), path);
      assertEquals(403, node.get(path, TestNode.INGEST_KEY).statusCode(), path);
      assertEquals(401, node.get(path, null).statusCode(), path);
      assertEquals(200, node.get(path, TestNode.VIEWER_KEY).statusCode(), path);
      assertEquals(200, node.get(path, TestNode.ADMIN_KEY).statusCode(), path);
    }
  }

  static Stream<Arguments> badParameters() {
    String d = "/api/v1/analytics/stats/daily";
    String c = "/api/v1/analytics/stats/concurrency";
    String p = "/api/v1/analytics/popular";
    return Stream.of(
        Arguments.of("daily without start", d + "?end=2024-01-01", "start"),
        Arguments.of("daily without end", d + "?start=2024-01-01", "end"),
        Arguments.of("daily with no parameters", d, "start"),
        Arguments.of("daily start not a date", d + "?start=yesterday&end=2024-01-01", "start"),
        Arguments.of("daily start month 13", d + "?start=2024-13-01&end=2024-12-01", "start"),
        Arguments.of("daily end not a date", d + "?start=2024-01-01&end=2024-02-30", "end"),
        Arguments.of("daily start after end", d + "?start=2024-02-01&end=2024-01-31", "start"),
        Arguments.of("daily range of 367 days", d + "?start=2023-01-01&end=2024-01-02", "end"),
        Arguments.of("concurrency start garbage", c + "?start=x&end=2024-01-01", "start"),
        Arguments.of(
            "concurrency unknown bucket",
            c + "?start=2024-01-01&end=2024-01-01&bucket=minute",
            "bucket"),
        Arguments.of(
            "concurrency start after end",
            c + "?start=2024-01-02&end=2024-01-01&bucket=day",
            "start"),
        Arguments.of("popular unknown window", p + "?window=fortnight", "window"),
        Arguments.of("popular limit 0", p + "?limit=0", "limit"),
        Arguments.of("popular limit 101", p + "?limit=101", "limit"),
        Arguments.of("popular limit not a number", p + "?limit=ten", "limit"),
        Arguments.of("popular unknown content type", p + "?content_type=book", "content_type"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badParameters")
  void badParametersAre400NamingTheParameter(String name, String path, String field) {
    var res = node.get(path, TestNode.VIEWER_KEY);
    assertEquals(400, res.statusCode(), res.bodyAsString());
    assertEquals("application/problem+json", res.getHeader("Content-Type"));
    JsonObject problem = res.bodyAsJsonObject();
    assertEquals(
        field,
        problem.getJsonArray("errors").getJsonObject(0).getString("field"),
        problem.encode());
  }

  // ---- helpers
  // ------------------------------------------------------------------------------------------

  private static JsonObject ok(String path) {
    var res = node.get(path, TestNode.VIEWER_KEY);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  private static List<JsonObject> items(JsonObject body) {
    List<JsonObject> out = new ArrayList<>();
    body.getJsonArray("items").forEach(o -> out.add(norm((JsonObject) o)));
    return out;
  }

  private static List<JsonObject> popular(String query) {
    return items(ok("/api/v1/analytics/popular?" + query));
  }

  private static JsonObject item(
      char c, String type, String title, long plays, long users, long minutes) {
    return norm(
        new JsonObject()
            .put("content_id", content(c).toString())
            .put("content_type", type)
            .put("content_title", title)
            .put("play_count", plays)
            .put("unique_users", users)
            .put("total_watch_minutes", minutes));
  }
}
