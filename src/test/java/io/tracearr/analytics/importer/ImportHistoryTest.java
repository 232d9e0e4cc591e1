package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * History imports through the real door: multipart uploads over HTTP, the import job on a real node
 * and PostgreSQL, then what a user sees — sessions, users, titles, the daily stats and popular
 * content of the imported days. Expected figures are worked out by hand from the fixtures' rows
 * (scripts/make-import-fixtures.py; the readers' tests list them). Each source's fixture lives on
 * days of its own (Tautulli 2024-03-01..05, Jellystat 03-10..12, Playback Reporting 03-15..17), so
 * the tests of this class share one database without touching each other's days.
 */
class ImportHistoryTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              // the imported days are years old: keep their raw sessions so the test can count them
              .put(
                  "analytics",
                  new JsonObject()
                      .put("retention_days", 36_500)
                      .put("rollup_interval_seconds", 3600)));

  static final TestNode node = nodes.node();
  static final String PATH = "/api/v1/analytics/imports";
  static final Duration IMPORT_TIMEOUT = Duration.ofMinutes(3);
  static final Set<String> ENDED = Set.of("completed", "failed", "cancelled");

  @TempDir static Path dir;

  // ---- Tautulli: every figure
  // ---------------------------------------------------------------------------------

  @Test
  void tautulliHistoryBecomesSessionsUsersTitlesAndTheImportedDaysStats() {
    long before = node.count("SELECT count(*) FROM playback_sessions");
    JsonObject job = importAndWait("tautulli", fixture(ImportFixtures.TAUTULLI), null, null);

    assertEquals("completed", job.getString("status"), job::encodePrettily);
    assertEquals(10, job.getLong("rows_read"));
    assertEquals(7, job.getLong("rows_imported"));
    assertEquals(3, job.getLong("rows_skipped"));
    // row 7 stopped before it started, row 9 paused longer than it lasted, row 10 has no user
    assertEquals(
        new JsonObject().put("impossible_times", 2).put("missing_user", 1),
        job.getJsonObject("skipped_by_reason"));
    assertEquals(
        new JsonObject().put("unit", "rows").put("done", 10).put("total", 10).put("fraction", 1.0),
        job.getJsonObject("progress"));
    assertNull(job.getString("error"));
    assertEquals(before + 7, node.count("SELECT count(*) FROM playback_sessions"));

    UUID scope = ImportIds.unboundServer(ImportSource.TAUTULLI);
    String imported =
        "ended_reason = 'imported' AND content_id IN ('%s', '%s', '%s', '%s')"
            .formatted(
                ImportIds.content(scope, "501"),
                ImportIds.content(scope, "602"),
                ImportIds.content(scope, "603"),
                ImportIds.content(scope, "701"));
    assertEquals(
        7,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE status = 'ended' AND " + imported));
    // 3300 + 1200 + 1620 + 5400 + 2760 + 354 + 900: stopped − started − paused
    assertEquals(
        15_534,
        node.count("SELECT sum(duration_seconds) FROM playback_sessions WHERE " + imported));
    // alice's TV by its Plex machine id, as the registry attributes devices
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE device_key = 'mach-alice-tv' AND device_name = "
                + "'Living Room TV' AND client_name = 'Plex for Android (TV)' AND host(ip_address) = '203.0.113.10' AND "
                + imported));

    assertEquals(
        Map.of("1001", "Alice", "1002", "bob", "1003", "Carol C", "1004", "dave"),
        names("users", scope, Set.of("1001", "1002", "1003", "1004")));
    assertEquals(
        Map.of(
            "501",
            "Inception",
            "602",
            "Cat's in the Bag...",
            "603",
            "...And the Bag's in the River",
            "701",
            "Bohemian Rhapsody"),
        names("content", scope, Set.of("501", "602", "603", "701")));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM content WHERE id = '"
                + ImportIds.content(scope, "602")
                + "' AND series_title = 'Breaking Bad' AND season_number = 1 AND episode_number = 2 AND year = 2008"
                + " AND duration_seconds = 2880 AND content_type = 'episode'"));

    // day → sessions, minutes (floor), users, GB (bandwidth × played / 1e9), transcodes, peak
    JsonArray days = daily("2024-03-01", "2024-03-05");
    assertDay(days, 0, "2024-03-01", 1, 55, 1, 21_000 * 125.0 * 3300 / 1e9, 0, 1);
    assertDay(days, 1, "2024-03-02", 2, 47, 1, 4_000 * 125.0 * 2820 / 1e9, 2, 1);
    assertDay(
        days,
        2,
        "2024-03-03",
        2,
        136,
        1,
        (45_000 * 125.0 * 5400 + 8_000 * 125.0 * 2760) / 1e9,
        1,
        1);
    assertDay(days, 3, "2024-03-04", 1, 5, 1, 320 * 125.0 * 354 / 1e9, 0, 1);
    assertDay(days, 4, "2024-03-05", 1, 15, 1, 6_000 * 125.0 * 900 / 1e9, 0, 1);

    // plays, unique users, watch minutes (floor) over every day; a periodic roll-up may be
    // rebuilding the windows
    // (it sees the imported sessions as late reports too), and until it is done the answer is empty
    Map<String, JsonObject> popular =
        popularWith(ImportIds.content(scope, "602"), ImportIds.content(scope, "701"));
    assertPopular(
        popular.get(ImportIds.content(scope, "602").toString()),
        "Cat's in the Bag...",
        3,
        2,
        (1200 + 1620 + 900) / 60);
    assertPopular(
        popular.get(ImportIds.content(scope, "501").toString()),
        "Inception",
        2,
        2,
        (3300 + 5400) / 60);
    assertPopular(
        popular.get(ImportIds.content(scope, "603").toString()),
        "...And the Bag's in the River",
        1,
        1,
        2760 / 60);
    assertPopular(
        popular.get(ImportIds.content(scope, "701").toString()),
        "Bohemian Rhapsody",
        1,
        1,
        354 / 60);

    // the same file again: ids derive from Tautulli's row ids, so nothing is added and nothing
    // changes
    String sessionsBefore = node.snapshot("playback_sessions");
    JsonObject again = importAndWait("tautulli", fixture(ImportFixtures.TAUTULLI), null, null);
    assertEquals("completed", again.getString("status"), again::encodePrettily);
    assertEquals(0, again.getLong("rows_imported"));
    assertEquals(7, again.getLong("rows_already_present"));
    assertEquals(sessionsBefore, node.snapshot("playback_sessions"));
    assertEquals(days, daily("2024-03-01", "2024-03-05"));
  }

  // ---- Jellystat and Playback Reporting of one Jellyfin server: one person, one user
  // -----------------------------

  @Test
  void jellystatAndPlaybackReportingOfOneServerMeetOnOneUserAndOneTitle() {
    String server = "5e7e4f00-0000-0000-0000-00000000cafe";
    UUID s = UUID.fromString(server);
    JsonObject jellystat =
        importAndWait("jellystat", fixture(ImportFixtures.JELLYSTAT), server, null);
    assertEquals("completed", jellystat.getString("status"), jellystat::encodePrettily);
    assertEquals(4, jellystat.getLong("rows_imported"));
    assertEquals(
        new JsonObject().put("missing_user", 1).put("impossible_times", 1).put("missing_time", 1),
        jellystat.getJsonObject("skipped_by_reason"));
    assertEquals("bytes", jellystat.getJsonObject("progress").getString("unit"));
    assertEquals(1.0, jellystat.getJsonObject("progress").getDouble("fraction"));

    JsonObject reporting =
        importAndWait(
            "playback_reporting", fixture(ImportFixtures.PLAYBACK_REPORTING), server, "UTC");
    assertEquals("completed", reporting.getString("status"), reporting::encodePrettily);
    assertEquals(3, reporting.getLong("rows_imported"));
    assertEquals(
        new JsonObject().put("missing_user", 1).put("impossible_times", 1),
        reporting.getJsonObject("skipped_by_reason"));

    String alice = "a11ce000000000000000000000000001";
    String inception = "c0000000000000000000000000000501";
    // alice played in both tools: one user, still named (Playback Reporting has no names, and a
    // missing name
    // does not erase one); Inception was played in both: one title
    assertEquals(
        Map.of(
            alice,
            "alice",
            "b0b00000000000000000000000000002",
            "bob",
            "e1e10000000000000000000000000003",
            "Erin"),
        names(
            "users",
            s,
            Set.of(alice, "b0b00000000000000000000000000002", "e1e10000000000000000000000000003")));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM users WHERE server_id = '"
                + server
                + "' AND external_id = '"
                + alice
                + "'"));
    assertEquals(
        3,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE user_id = '"
                + ImportIds.user(s, alice)
                + "'"));
    assertEquals(
        3,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE content_id = '"
                + ImportIds.content(s, inception)
                + "'"));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM content WHERE external_id = '"
                + inception
                + "' AND title = 'Inception'"
                + " AND server_id = '"
                + server
                + "'"));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM content WHERE server_id = '"
                + server
                + "' AND title = 'Queen - Bohemian Rhapsody (A Night at the Opera)' AND content_type = 'track'"));

    // Jellystat: act-1 3300 s; act-2 1500 s (a transcode) + act-3 2700 s, both bob's; act-4 600 s
    JsonArray j = daily("2024-03-10", "2024-03-12");
    assertDay(j, 0, "2024-03-10", 1, 55, 1, null, 0, 1);
    assertDay(j, 1, "2024-03-11", 2, 70, 1, null, 1, 1);
    assertDay(j, 2, "2024-03-12", 1, 10, 1, null, 0, 1);
    // Playback Reporting: Inception 5400 s, the episode 1800 s (a transcode), the track 354 s
    JsonArray p = daily("2024-03-15", "2024-03-17");
    assertDay(p, 0, "2024-03-15", 1, 90, 1, null, 0, 1);
    assertDay(p, 1, "2024-03-16", 1, 30, 1, null, 1, 1);
    assertDay(p, 2, "2024-03-17", 1, 5, 1, null, 0, 1);

    Map<String, JsonObject> popular = popularWith(ImportIds.content(s, inception));
    // act-1 (alice), act-4 (Erin) and Playback Reporting's row (alice): three plays by two people
    assertPopular(
        popular.get(ImportIds.content(s, inception).toString()),
        "Inception",
        3,
        2,
        (3300 + 600 + 5400) / 60);
  }

  // ---- cancelling, and one import at a time
  // ----------------------------------------------------------------------

  @Test
  void aCancelledImportLeavesNothingAndASecondImportWaitsQueuedMeanwhile() throws Exception {
    Path big = largeTautulli(dir.resolve("large-tautulli.db"), 300_000);
    String sessionsBefore = node.snapshot("playback_sessions");
    String usersBefore = node.snapshot("users");
    String contentBefore = node.snapshot("content");

    JsonObject first = upload("tautulli", big, null, null);
    String firstId = first.getString("id");
    Await.until(
        IMPORT_TIMEOUT,
        "the large import reading rows",
        () -> {
          JsonObject j = get(firstId);
          return "running".equals(j.getString("status")) && j.getLong("rows_read") > 0;
        });
    JsonObject running = get(firstId);
    assertEquals("reading", running.getString("phase"));
    // the fixture's 10 rows and the 300 000 added
    assertEquals(300_010, running.getJsonObject("progress").getLong("total"));
    assertNotNull(running.getDouble("rate_rows_per_second"));

    // one import at a time: the second waits
    JsonObject second = upload("tautulli", fixture(ImportFixtures.TAUTULLI), null, null);
    assertEquals("queued", get(second.getString("id")).getString("status"));
    HttpResponse<Buffer> cancelQueued =
        node.delete(PATH + "/" + second.getString("id"), TestNode.ADMIN_KEY, null);
    assertEquals(200, cancelQueued.statusCode(), cancelQueued.bodyAsString());
    assertEquals("cancelled", cancelQueued.bodyAsJsonObject().getString("status"));

    HttpResponse<Buffer> cancelRunning =
        node.delete(PATH + "/" + firstId, TestNode.ADMIN_KEY, null);
    assertEquals(200, cancelRunning.statusCode(), cancelRunning.bodyAsString());
    JsonObject ended = awaitEnd(firstId);
    assertEquals("cancelled", ended.getString("status"), ended::encodePrettily);
    assertTrue(ended.getLong("rows_read") < 300_000, "the reader stopped early");

    // the rows it had written were in its transaction, rolled back
    assertEquals(sessionsBefore, node.snapshot("playback_sessions"));
    assertEquals(usersBefore, node.snapshot("users"));
    assertEquals(contentBefore, node.snapshot("content"));
    HttpResponse<Buffer> again = node.delete(PATH + "/" + firstId, TestNode.ADMIN_KEY, null);
    assertEquals(409, again.statusCode());
    // the uploads are deleted by the node's housekeeping once their imports ended
    Await.until(
        Duration.ofSeconds(30),
        "uploads deleted",
        () ->
            node.count(
                    "SELECT count(*) FROM imports WHERE file_path IS NOT NULL AND status <> 'queued' AND status <> 'running'")
                == 0);
  }

  // ---- bad files: failed with a reason, the database unchanged
  // --------------------------------------------------

  @FunctionalInterface
  interface BadFile {
    Path make(Path dir) throws Exception;
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of(
            "a text file is not SQLite",
            "tautulli",
            (BadFile)
                d -> Files.writeString(d.resolve("notes.txt"), "hello, this is not a database\n"),
            "not an SQLite database"),
        Arguments.of(
            "an SQLite database is not JSON",
            "jellystat",
            (BadFile) d -> ImportFixtures.copy(ImportFixtures.TAUTULLI, d),
            "not a JSON file"),
        Arguments.of(
            "a corrupt database",
            "tautulli",
            (BadFile)
                d ->
                    BadInputTest.corruptAfterFirstPage(
                        ImportFixtures.copy(ImportFixtures.TAUTULLI, d)),
            "corrupt database"),
        Arguments.of(
            "Tautulli of another schema names the missing column",
            "tautulli",
            (BadFile)
                d ->
                    BadInputTest.alter(
                        ImportFixtures.copy(ImportFixtures.TAUTULLI, d),
                        "ALTER TABLE session_history_media_info DROP COLUMN video_resolution"),
            "table session_history_media_info has no column video_resolution"),
        Arguments.of(
            "a truncated Jellystat backup",
            "jellystat",
            (BadFile)
                d -> BadInputTest.truncateToHalf(ImportFixtures.copy(ImportFixtures.JELLYSTAT, d)),
            "the JSON ends early"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void aBadFileFailsWithAReasonAndChangesNothing(
      String name, String source, BadFile bad, String reason, @TempDir Path tmp) throws Exception {
    String sessions = node.snapshot("playback_sessions");
    String users = node.snapshot("users");
    JsonObject job = importAndWait(source, bad.make(tmp), null, null);
    assertEquals("failed", job.getString("status"), job::encodePrettily);
    assertTrue(
        job.getString("error").contains(reason), () -> "error was: " + job.getString("error"));
    assertEquals(sessions, node.snapshot("playback_sessions"));
    assertEquals(users, node.snapshot("users"));
  }

  // ---- requests refused before an import exists
  // ------------------------------------------------------------------

  @Test
  void anUnknownSourceOrAMissingFileIs400NamingTheFieldAndCreatesNoImport() {
    long imports = node.count("SELECT count(*) FROM imports");
    HttpResponse<Buffer> unknown =
        send(
            MultipartForm.create()
                .attribute("source", "plex")
                .binaryFileUpload(
                    "file",
                    "tautulli.db",
                    fixture(ImportFixtures.TAUTULLI).toString(),
                    "application/octet-stream"),
            TestNode.ADMIN_KEY);
    assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
    assertEquals("source", field(unknown));

    HttpResponse<Buffer> noFile =
        send(MultipartForm.create().attribute("source", "tautulli"), TestNode.ADMIN_KEY);
    assertEquals(400, noFile.statusCode(), noFile.bodyAsString());
    assertEquals("file", field(noFile));

    HttpResponse<Buffer> badServer =
        send(
            MultipartForm.create()
                .attribute("source", "tautulli")
                .attribute("server_id", "42")
                .binaryFileUpload(
                    "file",
                    "tautulli.db",
                    fixture(ImportFixtures.TAUTULLI).toString(),
                    "application/octet-stream"),
            TestNode.ADMIN_KEY);
    assertEquals(400, badServer.statusCode(), badServer.bodyAsString());
    assertEquals("server_id", field(badServer));

    HttpResponse<Buffer> viewer =
        send(
            MultipartForm.create()
                .attribute("source", "tautulli")
                .binaryFileUpload(
                    "file",
                    "tautulli.db",
                    fixture(ImportFixtures.TAUTULLI).toString(),
                    "application/octet-stream"),
            TestNode.VIEWER_KEY);
    assertEquals(403, viewer.statusCode(), viewer.bodyAsString());

    assertEquals(imports, node.count("SELECT count(*) FROM imports"));
    HttpResponse<Buffer> missing = node.get(PATH + "/" + UUID.randomUUID(), TestNode.ADMIN_KEY);
    assertEquals(404, missing.statusCode());
  }

  // ---- helpers
  // ------------------------------------------------------------------------------------------------------

  static Path fixture(String name) {
    Path target = dir.resolve(name);
    if (!Files.exists(target)) ImportFixtures.copy(name, dir);
    return target;
  }

  static HttpResponse<Buffer> send(MultipartForm form, String token) {
    return ImportFixtures.send(node, form, token);
  }

  static JsonObject upload(String source, Path file, String serverId, String timezone) {
    MultipartForm form = MultipartForm.create().attribute("source", source);
    if (serverId != null) form.attribute("server_id", serverId);
    if (timezone != null) form.attribute("timezone", timezone);
    form.binaryFileUpload(
        "file", file.getFileName().toString(), file.toString(), "application/octet-stream");
    HttpResponse<Buffer> r = send(form, TestNode.ADMIN_KEY);
    assertEquals(202, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject importAndWait(String source, Path file, String serverId, String timezone) {
    return awaitEnd(upload(source, file, serverId, timezone).getString("id"));
  }

  static JsonObject get(String id) {
    HttpResponse<Buffer> r = node.get(PATH + "/" + id, TestNode.ADMIN_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject awaitEnd(String id) {
    Await.until(
        IMPORT_TIMEOUT,
        "import " + id + " ended",
        () -> ENDED.contains(get(id).getString("status")));
    return get(id);
  }

  static String field(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field");
  }

  /**
   * external id → name (users) or title (content) of the given external ids under {@code scope}.
   */
  static Map<String, String> names(String table, UUID scope, Set<String> externalIds) {
    Map<String, String> out = new HashMap<>();
    String column = table.equals("users") ? "name" : "title";
    for (String ext : externalIds) {
      UUID id = table.equals("users") ? ImportIds.user(scope, ext) : ImportIds.content(scope, ext);
      try (Connection c = io.tracearr.analytics.testing.TestDatabase.connect(node.database());
          var st =
              c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE id = ?::uuid")) {
        st.setString(1, id.toString());
        try (var rs = st.executeQuery()) {
          if (rs.next()) out.put(ext, rs.getString(1));
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  static JsonArray daily(String start, String end) {
    return node.daily(start, end, TestNode.ADMIN_KEY);
  }

  static void assertDay(
      JsonArray days,
      int i,
      String date,
      int sessions,
      int minutes,
      int users,
      Double gb,
      int transcoded,
      int peak) {
    JsonObject d = days.getJsonObject(i);
    assertEquals(date, d.getString("date"), d::encode);
    assertEquals(sessions, d.getInteger("total_sessions"), d::encode);
    assertEquals(minutes, d.getInteger("total_duration_minutes"), d::encode);
    assertEquals(users, d.getInteger("unique_users"), d::encode);
    if (gb != null) assertEquals(gb, d.getDouble("total_bandwidth_gb"), 0.0011, d::encode);
    assertEquals(transcoded, d.getInteger("transcoded_sessions"), d::encode);
    assertEquals(peak, d.getInteger("peak_concurrent_streams"), d::encode);
  }

  static String lastPopular;

  static Map<String, JsonObject> popular() {
    HttpResponse<Buffer> r =
        node.get("/api/v1/analytics/popular?window=all&limit=100", TestNode.ADMIN_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    lastPopular = r.bodyAsString();
    Map<String, JsonObject> byId = new HashMap<>();
    r.bodyAsJsonObject()
        .getJsonArray("items")
        .forEach(o -> byId.put(((JsonObject) o).getString("content_id"), (JsonObject) o));
    return byId;
  }

  static Map<String, JsonObject> popularWith(UUID... contentIds) {
    Await.until(
        Duration.ofMinutes(2),
        "popular content lists the imported titles",
        () -> {
          Map<String, JsonObject> p = popular();
          return Stream.of(contentIds).allMatch(id -> p.containsKey(id.toString()));
        });
    return popular();
  }

  static void assertPopular(JsonObject item, String title, int plays, int users, int minutes) {
    assertNotNull(item, () -> title + " is not among the popular content: " + lastPopular);
    assertEquals(title, item.getString("content_title"));
    assertEquals(plays, item.getInteger("play_count"), item::encode);
    assertEquals(users, item.getInteger("unique_users"), item::encode);
    assertEquals(minutes, item.getInteger("total_watch_minutes"), item::encode);
  }

  /**
   * The fixture's real schema with {@code rows} more history rows, written by JDBC (the tests need
   * no Python).
   */
  static Path largeTautulli(Path target, int rows) throws Exception {
    Files.copy(
        ImportFixtures.class.getResourceAsStream("/importer/" + ImportFixtures.TAUTULLI), target);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + target)) {
      db.setAutoCommit(false);
      try (PreparedStatement h =
              db.prepareStatement(
                  "INSERT INTO session_history (id, reference_id, started, stopped, "
                      + "rating_key, user_id, user, ip_address, paused_counter, player, product, platform, machine_id, bandwidth, "
                      + "media_type, view_offset) VALUES (?, ?, ?, ?, 501, 1001, 'alice', '203.0.113.10', 0, 'TV', 'Plex', "
                      + "'Android', 'mach-big', 8000, 'movie', 0)");
          PreparedStatement m =
              db.prepareStatement(
                  "INSERT INTO session_history_metadata (id, rating_key, title, "
                      + "media_type, year, duration) VALUES (?, 501, 'Inception', 'movie', 2010, 8880000)")) {
        long t0 = 1_600_000_000L;
        for (int i = 0; i < rows; i++) {
          long id = 1_000 + i;
          h.setLong(1, id);
          h.setLong(2, id);
          h.setLong(3, t0 + i * 600L);
          h.setLong(4, t0 + i * 600L + 300);
          h.addBatch();
          m.setLong(1, id);
          m.addBatch();
          if (i % 10_000 == 9_999) {
            h.executeBatch();
            m.executeBatch();
          }
        }
        h.executeBatch();
        m.executeBatch();
      }
      db.commit();
    }
    return target;
  }
}
