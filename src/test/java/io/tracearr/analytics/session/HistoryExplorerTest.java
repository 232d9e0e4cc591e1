package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /sessions/history (issue 17) against a hand-made set (UTC days, D = today):
 *
 * <pre>
 * h1 D-1  12:00 A "Alice Smith"  "The Matrix"                  "Living Room TV"  movie   ended    server S
 * h2 D-2  12:00 B "bob"          "Breaking, "Bad"\nPilot"      "Bob's phone"     episode ended
 * h3 D    00:05 A                "Matrix Reloaded"             "iPad"            movie   playing
 * h4 D-5  12:00 C (no name)      "Cars"                        "matrix-box"      track   ended
 * h5 D-40 12:00 B                "Old"                         "TV"              movie   ended   (outside the default 30 days)
 * h6 D-3  12:00 A                "100%_done"                   "PC"              other   timed_out
 * </pre>
 */
class HistoryExplorerTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.seededHistory();

  static final TestNode node = nodes.node();
  static final UUID A = UUID.fromString("60000000-0000-0000-0000-00000000000a");
  static final UUID B = UUID.fromString("60000000-0000-0000-0000-00000000000b");
  static final UUID C = UUID.fromString("60000000-0000-0000-0000-00000000000c");
  static final UUID S = UUID.fromString("70000000-0000-0000-0000-000000000001");
  static final UUID[] H = new UUID[7];
  static final String TRICKY = "Breaking, \"Bad\"\nPilot";
  static LocalDate today;

  @BeforeAll
  static void seed() {
    today = LocalDate.now(ZoneOffset.UTC);
    for (int i = 1; i <= 6; i++) H[i] = UUID.fromString("80000000-0000-0000-0000-00000000000" + i);
    node.sql(
        "INSERT INTO users (id, name, first_seen_at, last_seen_at) VALUES "
            + "('%s', 'Alice Smith', now(), now()), ('%s', 'bob', now(), now())".formatted(A, B));
    List<String> rows = new ArrayList<>();
    rows.add(row(H[1], A, "The Matrix", "Living Room TV", "movie", "ended", at(1, "12:00"), S));
    rows.add(row(H[2], B, TRICKY, "Bob's phone", "episode", "ended", at(2, "12:00"), null));
    rows.add(row(H[3], A, "Matrix Reloaded", "iPad", "movie", "playing", at(0, "00:05"), null));
    rows.add(row(H[4], C, "Cars", "matrix-box", "track", "ended", at(5, "12:00"), null));
    rows.add(row(H[5], B, "Old", "TV", "movie", "ended", at(40, "12:00"), null));
    rows.add(row(H[6], A, "100%_done", "PC", "other", "timed_out", at(3, "12:00"), null));
    node.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_key, ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason,
          server_id) VALUES
        """
            + String.join(",\n", rows));
  }

  static Instant at(int daysAgo, String hhmm) {
    return today.minusDays(daysAgo).atTime(LocalTime.parse(hhmm)).toInstant(ZoneOffset.UTC);
  }

  static String row(
      UUID id,
      UUID user,
      String title,
      String device,
      String type,
      String status,
      Instant start,
      UUID server) {
    boolean open = status.equals("playing");
    String end = open ? "NULL" : "'" + start.plusSeconds(600) + "'";
    return "('%s', '%s', '%s', '%s', %s, 'Client', %s, 'k', '10.0.0.1', '%s', '%s', %s, %s, 600, %s, %s)"
        .formatted(
            id,
            user,
            type,
            UUID.nameUUIDFromBytes(title.getBytes()),
            "E'" + title.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'",
            "'" + device.replace("'", "''") + "'",
            status,
            start,
            end,
            open ? "now()" : end,
            open ? "NULL" : status.equals("timed_out") ? "'timeout'" : "'client'",
            server == null ? "NULL" : "'" + server + "'");
  }

  static JsonObject page(String query, String token) {
    HttpResponse<Buffer> r = node.get("/api/v1/analytics/sessions/history?" + query, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static List<String> ids(String query) {
    return ids(page(query, TestNode.VIEWER_KEY));
  }

  static List<String> ids(JsonObject page) {
    List<String> out = new ArrayList<>();
    for (Object o : page.getJsonArray("items")) out.add(((JsonObject) o).getString("id"));
    return out;
  }

  static List<String> of(int... n) {
    List<String> out = new ArrayList<>();
    for (int i : n) out.add(H[i].toString());
    return out;
  }

  @Test
  void theDefaultWindowIsTheLast30DaysNewestFirst() {
    assertEquals(of(3, 1, 2, 6, 4), ids(""));
    assertEquals(of(3, 1, 2, 6, 4, 5), ids("start=" + today.minusDays(45) + "&end=" + today));
    assertEquals(of(1, 2), ids("start=" + today.minusDays(2) + "&end=" + today.minusDays(1)));
  }

  @Test
  void qMatchesUserNameTitleOrDeviceCaseInsensitively() {
    // h1 and h3 by title, h4 by device
    assertEquals(of(3, 1, 4), ids("q=MATRIX"));
    // the user's name
    assertEquals(of(3, 1, 6), ids("q=alice%20sm"));
    assertEquals(of(2), ids("q=bob%27s"));
    // % and _ are literal: as LIKE wildcards "0%_" would match "100%_done" and every title with a
    // 0, "_d" also "iPad" (h3). "%25" is "%": the contract validation used to decode the query a
    // second time and refuse it as bad percent-encoding.
    assertEquals(of(6), ids("q=_d"));
    assertEquals(of(6), ids("q=0%25_"));
    assertEquals(of(6), ids("q=100%25"));
    assertEquals(List.of(), ids("q=%25%25"));
    // "+" in a query is a space, "%2B" a plus (nothing seeded has one)
    assertEquals(of(1), ids("q=the+matrix"));
    assertEquals(List.of(), ids("q=the%2Bmatrix"));
    // a broken escape is the client's error
    HttpResponse<Buffer> broken =
        node.get("/api/v1/analytics/sessions/history?q=%zz", TestNode.VIEWER_KEY);
    assertEquals(400, broken.statusCode(), broken.bodyAsString());
    assertEquals("application/problem+json", broken.getHeader("Content-Type"));
    assertEquals(
        "q",
        broken.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"),
        broken.bodyAsString());
    assertEquals(List.of(), ids("q=zzz"));
  }

  @Test
  void filtersCombine() {
    assertEquals(of(3, 1, 6), ids("user_id=" + A));
    assertEquals(of(1), ids("server_id=" + S));
    assertEquals(of(3, 1), ids("content_type=movie"));
    assertEquals(of(1), ids("content_type=movie&status=ended"));
    assertEquals(of(6), ids("status=timed_out"));
    assertEquals(of(3), ids("q=matrix&status=playing&user_id=" + A));
  }

  @Test
  void pagesFollowTheKeysetCursor() {
    JsonObject first = page("limit=2", TestNode.VIEWER_KEY);
    assertEquals(of(3, 1), ids(first));
    String cursor = first.getString("next_cursor");
    assertNotNull(cursor);
    JsonObject second = page("limit=2&before=" + cursor, TestNode.VIEWER_KEY);
    assertEquals(of(2, 6), ids(second));
    JsonObject third =
        page("limit=2&before=" + second.getString("next_cursor"), TestNode.VIEWER_KEY);
    assertEquals(of(4), ids(third));
    assertNull(third.getString("next_cursor"));
    // the session JSON, names included
    JsonObject h1 =
        page("server_id=" + S, TestNode.ADMIN_KEY).getJsonArray("items").getJsonObject(0);
    assertEquals("Alice Smith", h1.getString("user_name"));
    assertEquals("The Matrix", h1.getString("content_title"));
  }

  @Test
  void aUserTokenSeesOnlyItsOwnSessions() {
    String bob = node.jwt(B.toString(), List.of("user"), Duration.ofMinutes(5));
    assertEquals(of(2), ids(page("", bob)));
    assertEquals(of(2, 5), ids(page("start=" + today.minusDays(60), bob)));
    assertEquals(of(2), ids(page("user_id=" + B, bob)));
    assertEquals(List.of(), ids(page("q=matrix", bob)));
    assertEquals(
        403, node.get("/api/v1/analytics/sessions/history?user_id=" + A, bob).statusCode());
    HttpResponse<Buffer> csv = node.get("/api/v1/analytics/sessions/history?format=csv", bob);
    assertEquals(200, csv.statusCode());
    assertEquals(2, csv.bodyAsString().split("\r\n").length, csv.bodyAsString());
    assertEquals(
        403, node.get("/api/v1/analytics/sessions/history", TestNode.INGEST_KEY).statusCode());
  }

  @Test
  void csvHasTheSessionColumnsQuotedPerRfc4180() throws Exception {
    HttpResponse<Buffer> r =
        TestNode.await(
            node.client()
                .get(node.port(), "localhost", "/api/v1/analytics/sessions/history?q=breaking")
                .putHeader("Authorization", "Bearer " + TestNode.VIEWER_KEY)
                .putHeader("Accept", "text/csv")
                .send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("text/csv"));
    String text = r.bodyAsString();
    // the title: in quotes, its quotes doubled, its comma and newline kept inside
    assertTrue(text.contains(",\"Breaking, \"\"Bad\"\"\nPilot\","), text);
    assertTrue(text.contains(",Bob's phone,"), text);
    assertTrue(text.endsWith("\r\n"), text);
    List<CSVRecord> records;
    try (CSVParser parser =
        CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(new StringReader(text))) {
      assertEquals(
          List.of(
              "id",
              "user_id",
              "user_name",
              "content_type",
              "content_id",
              "content_title",
              "started_at",
              "ended_at",
              "duration_seconds",
              "position_seconds",
              "client_name",
              "device_name",
              "device_id",
              "device_key",
              "ip_address",
              "transcoded",
              "resolution",
              "bandwidth_kbps",
              "bytes_transferred",
              "status",
              "last_heartbeat_at",
              "ended_reason",
              "server_id",
              "server_name",
              "location.city",
              "location.country",
              "location.latitude",
              "location.longitude",
              "location.accuracy_km",
              "content.title",
              "content.series_title",
              "content.season_number",
              "content.episode_number",
              "content.year",
              "content.duration_seconds"),
          parser.getHeaderNames());
      records = parser.getRecords();
    }
    assertEquals(1, records.size());
    CSVRecord h2 = records.get(0);
    JsonObject json =
        page("q=breaking", TestNode.VIEWER_KEY).getJsonArray("items").getJsonObject(0);
    assertEquals(H[2].toString(), h2.get("id"));
    assertEquals(TRICKY, h2.get("content_title"));
    assertEquals("bob", h2.get("user_name"));
    assertEquals(json.getString("started_at"), h2.get("started_at"));
    assertEquals(String.valueOf(json.getDouble("duration_seconds")), h2.get("duration_seconds"));
    assertEquals("false", h2.get("transcoded"));
    assertEquals("", h2.get("server_id"));

    // format=csv is the same answer
    HttpResponse<Buffer> same =
        node.get("/api/v1/analytics/sessions/history?q=breaking&format=csv", TestNode.VIEWER_KEY);
    assertEquals(text, same.bodyAsString());
    // the whole filter, not a page
    String all =
        node.get("/api/v1/analytics/sessions/history?format=csv&limit=1", TestNode.VIEWER_KEY)
            .bodyAsString();
    try (CSVParser parser = CSVFormat.RFC4180.parse(new StringReader(all))) {
      assertEquals(6, parser.getRecords().size(), all);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "start=2026-02-30; start",
        "end=soon; end",
        "start=2024-01-01&end=2026-01-02; end",
        "start=2026-01-03&end=2026-01-02; start",
        "limit=0; limit",
        "limit=501; limit",
        "status=lost; status",
        "content_type=film; content_type",
        "user_id=nobody; user_id",
        "server_id=1; server_id",
        "format=xml; format",
        "before=xyz; before",
      })
  void badInputIs400NamingTheParameter(String query, String field) {
    HttpResponse<Buffer> r =
        node.get("/api/v1/analytics/sessions/history?" + query, TestNode.VIEWER_KEY);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
    assertTrue(
        errors != null
            && errors.stream().anyMatch(e -> field.equals(((JsonObject) e).getString("field"))),
        r.bodyAsString());
  }
}
