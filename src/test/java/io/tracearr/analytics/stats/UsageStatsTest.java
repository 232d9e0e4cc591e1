package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * stats/plays, stats/top-users and stats/bandwidth against a hand-computed fixture, in
 * Europe/Berlin (so local hours differ from UTC ones). Days: D-3 and D-1 rolled up, today live.
 *
 * <pre>
 *        user  client / device                  res    tc  country server  type     secs  bytes
 * D-3 10:15 u1 Jellyfin Android TV / Shield     1080p  yes DE      S1      movie    3600  2.00 GB
 * D-3 10:45 u2 Plex Web / Chrome                4K     no  US      -       episode  1200  0.50 GB
 * D-1 21:05 u1 Plex Web / Firefox               1080p  no  DE      S1      episode  1800  1.00 GB
 * D-1 21:30 u3 Infuse / iPhone                  -      yes -       S1      movie     600  0.25 GB
 * D0  00:10 u2 Jellyfin Android TV / Shield     720p   no  US      S1      track     300  0.10 GB
 * D0  00:20 u1 Plex Web / Chrome (open)         1080p  no  DE      -       episode   120  0.05 GB
 * </pre>
 *
 * u1 = "alice", u2 = "bob", u3 has no name; S1 = "living-room".
 */
class UsageStatsTest {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("timezone", BERLIN.getId()))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  static final TestNode node = nodes.node();
  static final UUID U1 = UUID.fromString("20000000-0000-0000-0000-000000000001");
  static final UUID U2 = UUID.fromString("20000000-0000-0000-0000-000000000002");
  static final UUID U3 = UUID.fromString("20000000-0000-0000-0000-000000000003");
  static final UUID S1 = UUID.fromString("30000000-0000-0000-0000-000000000001");
  static LocalDate today;
  static String range;

  @BeforeAll
  static void seed() {
    Seed.startupJobsDone(node);
    today = LocalDate.now(BERLIN);
    range = "start=" + today.minusDays(3) + "&end=" + today;
    node.sql(
        "INSERT INTO users (id, name, first_seen_at, last_seen_at) VALUES "
            + "('%s', 'alice', now(), now()), ('%s', 'bob', now(), now())".formatted(U1, U2));
    node.sql(
        ("INSERT INTO media_servers (id, name, type, url, token, enabled, source) "
                + "VALUES ('%s', 'living-room', 'jellyfin', 'http://127.0.0.1:9', 'token', false, 'api')")
            .formatted(S1));
    List<String> rows = new ArrayList<>();
    rows.add(
        row(
            U1,
            at(3, "10:15"),
            true,
            "Jellyfin Android TV",
            "Shield",
            "1080p",
            true,
            "DE",
            S1,
            "movie",
            3600,
            2_000_000_000L));
    rows.add(
        row(
            U2,
            at(3, "10:45"),
            true,
            "Plex Web",
            "Chrome",
            "4K",
            false,
            "US",
            null,
            "episode",
            1200,
            500_000_000L));
    rows.add(
        row(
            U1,
            at(1, "21:05"),
            true,
            "Plex Web",
            "Firefox",
            "1080p",
            false,
            "DE",
            S1,
            "episode",
            1800,
            1_000_000_000L));
    rows.add(
        row(
            U3,
            at(1, "21:30"),
            true,
            "Infuse",
            "iPhone",
            null,
            true,
            null,
            S1,
            "movie",
            600,
            250_000_000L));
    rows.add(
        row(
            U2,
            at(0, "00:10"),
            true,
            "Jellyfin Android TV",
            "Shield",
            "720p",
            false,
            "US",
            S1,
            "track",
            300,
            100_000_000L));
    rows.add(
        row(
            U1,
            at(0, "00:20"),
            false,
            "Plex Web",
            "Chrome",
            "1080p",
            false,
            "DE",
            null,
            "episode",
            120,
            50_000_000L));
    node.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
          ip_address, transcoded, resolution, bytes_transferred, status, started_at, ended_at, last_heartbeat_at,
          duration_seconds, ended_reason, geo_country, server_id) VALUES
        """
            + String.join(",\n", rows));
    Seed.rollup(node);
    // the past days' raw sessions go: their figures must come from the roll-up alone
    node.sql(
        "DELETE FROM playback_sessions WHERE started_at < '"
            + today.atStartOfDay(BERLIN).toInstant()
            + "'");
  }

  static Instant at(int daysAgo, String hhmm) {
    return today.minusDays(daysAgo).atTime(LocalTime.parse(hhmm)).atZone(BERLIN).toInstant();
  }

  static String row(
      UUID user,
      Instant start,
      boolean ended,
      String client,
      String device,
      String resolution,
      boolean transcoded,
      String country,
      UUID server,
      String type,
      double seconds,
      long bytes) {
    String end = "'" + start.plusSeconds((long) seconds) + "'";
    return "('%s', '%s', '%s', '%s', '%s', '%s', 'k-%s', '10.0.0.1', %s, %s, %d, %s, '%s', %s, %s, %s, %s, %s, %s)"
        .formatted(
            UUID.randomUUID(),
            user,
            type,
            UUID.randomUUID(),
            client,
            device,
            device,
            transcoded,
            resolution == null ? "NULL" : "'" + resolution + "'",
            bytes,
            ended ? "'ended'" : "'playing'",
            start,
            ended ? end : "NULL",
            ended ? end : "now()",
            seconds,
            ended ? "'client'" : "NULL",
            country == null ? "NULL" : "'" + country + "'",
            server == null ? "NULL" : "'" + server + "'");
  }

  /** key|label|plays|watch_minutes|unique_users|bandwidth_gb per item, in answer order */
  static String plays(String groupBy) {
    HttpResponse<Buffer> r =
        node.get(
            "/api/v1/analytics/stats/plays?" + range + "&group_by=" + groupBy, TestNode.VIEWER_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    List<String> out = new ArrayList<>();
    for (Object o : r.bodyAsJsonObject().getJsonArray("items")) {
      JsonObject i = (JsonObject) o;
      out.add(
          String.join(
              "|",
              i.getString("key"),
              i.getString("label"),
              String.valueOf(i.getLong("plays")),
              String.valueOf(i.getLong("watch_minutes")),
              String.valueOf(i.getLong("unique_users")),
              String.valueOf(i.getDouble("bandwidth_gb"))));
    }
    return String.join("\n", out);
  }

  @Test
  void playsByUser() {
    assertEquals(
        String.join(
            "\n",
            U1 + "|alice|3|92|1|3.05",
            U2 + "|bob|2|25|1|0.6",
            U3 + "|" + U3 + "|1|10|1|0.25"),
        plays("user"));
  }

  @Test
  void playsByServerCountryAndPlatform() {
    assertEquals(
        String.join(
            "\n",
            S1 + "|living-room|4|105|3|3.35",
            "none|No media server (direct clients)|2|22|2|0.55"),
        plays("server"));
    assertEquals(
        String.join(
            "\n",
            "DE|Germany|3|92|1|3.05",
            "US|United States|2|25|1|0.6",
            "unknown|Unknown|1|10|1|0.25"),
        plays("country"));
    assertEquals(
        String.join(
            "\n", "Web|Web|3|52|2|1.55", "Android TV|Android TV|2|65|2|2.1", "iOS|iOS|1|10|1|0.25"),
        plays("platform"));
  }

  @Test
  void playsByClientDeviceResolutionTranscodeAndType() {
    assertEquals(
        String.join(
            "\n",
            "Plex Web|Plex Web|3|52|2|1.55",
            "Jellyfin Android TV|Jellyfin Android TV|2|65|2|2.1",
            "Infuse|Infuse|1|10|1|0.25"),
        plays("client"));
    assertEquals(
        String.join(
            "\n",
            "Shield|Shield|2|65|2|2.1",
            "Chrome|Chrome|2|22|2|0.55",
            "Firefox|Firefox|1|30|1|1.0",
            "iPhone|iPhone|1|10|1|0.25"),
        plays("device"));
    assertEquals(
        String.join(
            "\n",
            "1080p|1080p|3|92|1|3.05",
            "4K|4K|1|20|1|0.5",
            "unknown|Unknown|1|10|1|0.25",
            "720p|720p|1|5|1|0.1"),
        plays("resolution"));
    assertEquals(
        String.join("\n", "direct|Direct play|4|57|2|1.65", "transcode|Transcode|2|70|2|2.25"),
        plays("transcode"));
    assertEquals(
        String.join(
            "\n",
            "episode|episode|3|52|2|1.55",
            "movie|movie|2|70|2|2.25",
            "track|track|1|5|1|0.1"),
        plays("content_type"));
  }

  @Test
  void playsByLocalHourAndWeekday() {
    assertEquals(
        String.join("\n", "0|00:00|2|7|2|0.15", "10|10:00|2|80|2|2.5", "21|21:00|2|40|2|1.25"),
        plays("hour_of_day"));
    int d3 = today.minusDays(3).getDayOfWeek().getValue();
    int d1 = today.minusDays(1).getDayOfWeek().getValue();
    int d0 = today.getDayOfWeek().getValue();
    List<String> expected = new ArrayList<>();
    String[] names = {
      "", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    };
    record Day(int dow, String line) {}
    List<Day> days =
        new ArrayList<>(
            List.of(
                new Day(d3, d3 + "|" + names[d3] + "|2|80|2|2.5"),
                new Day(d1, d1 + "|" + names[d1] + "|2|40|2|1.25"),
                new Day(d0, d0 + "|" + names[d0] + "|2|7|2|0.15")));
    days.sort((a, b) -> Integer.compare(a.dow(), b.dow()));
    for (Day d : days) expected.add(d.line());
    assertEquals(String.join("\n", expected), plays("day_of_week"));
    String heat = plays("weekday_hour");
    assertTrue(heat.contains(d3 + "-10|"), heat);
    assertTrue(heat.contains(d1 + "-21|"), heat);
    assertTrue(heat.contains(d0 + "-00|"), heat);
    assertEquals(3, heat.lines().count(), heat);
  }

  @Test
  void topUsersByWatchTime() {
    JsonArray week =
        node.get("/api/v1/analytics/stats/top-users?window=week", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(3, week.size(), week.encode());
    assertEquals(
        new JsonObject()
            .put("user_id", U1.toString())
            .put("user_name", "alice")
            .put("plays", 3)
            .put("watch_minutes", 92)
            .put("bandwidth_gb", 3.05)
            .put("last_seen", at(0, "00:20").toString()),
        week.getJsonObject(0));
    assertEquals("bob", week.getJsonObject(1).getString("user_name"));
    assertEquals(25, week.getJsonObject(1).getInteger("watch_minutes"));
    assertEquals(null, week.getJsonObject(2).getString("user_name"));
    assertEquals(at(1, "21:30").toString(), week.getJsonObject(2).getString("last_seen"));

    JsonArray day =
        node.get("/api/v1/analytics/stats/top-users?window=day&limit=5", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    // today: bob 300 s, alice 120 s
    assertEquals(2, day.size(), day.encode());
    assertEquals("bob", day.getJsonObject(0).getString("user_name"));
    assertEquals(5, day.getJsonObject(0).getInteger("watch_minutes"));
    assertEquals(2, day.getJsonObject(1).getInteger("watch_minutes"));

    // fewer places than users who played today: today's part is cut to the limit in the database
    JsonArray dayFirst =
        node.get("/api/v1/analytics/stats/top-users?window=day&limit=1", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(1, dayFirst.size(), dayFirst.encode());
    assertEquals("bob", dayFirst.getJsonObject(0).getString("user_name"));
    JsonArray weekTwo =
        node.get("/api/v1/analytics/stats/top-users?window=week&limit=2", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    // alice 3600 + 1800 + 120 s, bob 1200 + 300 s: both played today, both over the whole week
    assertEquals(2, weekTwo.size(), weekTwo.encode());
    assertEquals(92, weekTwo.getJsonObject(0).getInteger("watch_minutes"));
    assertEquals(3, weekTwo.getJsonObject(0).getInteger("plays"));
    assertEquals("bob", weekTwo.getJsonObject(1).getString("user_name"));
    assertEquals(25, weekTwo.getJsonObject(1).getInteger("watch_minutes"));
    assertEquals(2, weekTwo.getJsonObject(1).getInteger("plays"));

    JsonArray one =
        node.get("/api/v1/analytics/stats/top-users?window=all&limit=1", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(1, one.size());
    assertEquals(U1.toString(), one.getJsonObject(0).getString("user_id"));
  }

  @Test
  void bandwidthPerDayAndPerUser() {
    JsonArray perDay =
        node.get("/api/v1/analytics/stats/bandwidth?" + range + "&group_by=day", TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(
        new JsonArray().add(day(3, 2.5)).add(day(2, 0.0)).add(day(1, 1.25)).add(day(0, 0.15)),
        perDay);
    JsonArray perUser =
        node.get(
                "/api/v1/analytics/stats/bandwidth?" + range + "&group_by=user", TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(
        new JsonArray()
            .add(
                new JsonObject()
                    .put("key", U1.toString())
                    .put("label", "alice")
                    .put("bandwidth_gb", 3.05))
            .add(
                new JsonObject()
                    .put("key", U2.toString())
                    .put("label", "bob")
                    .put("bandwidth_gb", 0.6))
            .add(
                new JsonObject()
                    .put("key", U3.toString())
                    .put("label", U3.toString())
                    .put("bandwidth_gb", 0.25)),
        perUser);
  }

  static JsonObject day(int daysAgo, double gb) {
    String d = today.minusDays(daysAgo).toString();
    return new JsonObject().put("key", d).put("label", d).put("bandwidth_gb", gb);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "stats/plays?start=2026-01-01&end=2026-01-02&group_by=nope; group_by",
        "stats/plays?start=2026-01-01&end=2026-01-02; group_by",
        "stats/plays?start=2026-13-01&end=2026-01-02&group_by=user; start",
        "stats/plays?start=2026-01-01&end=yesterday&group_by=user; end",
        "stats/plays?start=2024-01-01&end=2026-01-02&group_by=user; end",
        "stats/plays?start=2026-01-03&end=2026-01-02&group_by=user; start",
        "stats/plays?start=2026-01-01&end=2026-01-02&group_by=user&limit=0; limit",
        "stats/plays?start=2026-01-01&end=2026-01-02&group_by=user&limit=1001; limit",
        "stats/top-users?window=hour; window",
        "stats/top-users?limit=101; limit",
        "stats/top-users?limit=x; limit",
        "stats/bandwidth?start=2026-01-01&end=2026-01-02&group_by=device; group_by",
        "stats/bandwidth?start=2025-01-01&end=2026-01-02; end",
        "stats/bandwidth?end=2026-01-02; start",
      })
  void badInputIs400NamingTheParameter(String query, String field) {
    HttpResponse<Buffer> r = node.get("/api/v1/analytics/" + query, TestNode.VIEWER_KEY);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/problem+json"));
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
    assertTrue(
        errors != null
            && errors.stream().anyMatch(e -> field.equals(((JsonObject) e).getString("field"))),
        r.bodyAsString());
  }

  @Test
  void ingestKeysMayNotRead() {
    assertEquals(
        403,
        node.get("/api/v1/analytics/stats/plays?" + range + "&group_by=user", TestNode.INGEST_KEY)
            .statusCode());
  }
}
