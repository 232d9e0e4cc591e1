package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each bad upload fails the whole import with a message a person can act on, and before a single
 * row reaches the sink. The broken files are made here from the real fixtures, so they stay in step
 * with them.
 */
class BadInputTest {

  @FunctionalInterface
  interface BadFile {
    Path make(Path dir) throws Exception;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        bad(
            "Tautulli: a text file is not SQLite",
            ImportSource.TAUTULLI,
            dir -> Files.writeString(dir.resolve("notes.txt"), "hello, this is not a database\n"),
            "not an SQLite database"),
        bad(
            "Tautulli: an empty file",
            ImportSource.TAUTULLI,
            dir -> Files.createFile(dir.resolve("empty.db")),
            "not an SQLite database: the file does not start with the SQLite header (it is empty)"),
        bad(
            "Tautulli: a Jellystat backup sent as Tautulli",
            ImportSource.TAUTULLI,
            dir -> ImportFixtures.copy(ImportFixtures.JELLYSTAT, dir),
            "not an SQLite database"),
        bad(
            "Tautulli: a corrupt database",
            ImportSource.TAUTULLI,
            dir -> corruptAfterFirstPage(ImportFixtures.copy(ImportFixtures.TAUTULLI, dir)),
            "corrupt database: "),
        bad(
            "Tautulli: another schema lacks a column",
            ImportSource.TAUTULLI,
            dir ->
                alter(
                    ImportFixtures.copy(ImportFixtures.TAUTULLI, dir),
                    "ALTER TABLE session_history_media_info DROP COLUMN video_resolution"),
            "not a Tautulli database of a known schema: table session_history_media_info has no column video_resolution"),
        bad(
            "Tautulli: another schema lacks a table",
            ImportSource.TAUTULLI,
            dir -> alter(ImportFixtures.copy(ImportFixtures.TAUTULLI, dir), "DROP TABLE users"),
            "not a Tautulli database of a known schema: it has no table users"),
        bad(
            "Tautulli: the Playback Reporting database sent as Tautulli",
            ImportSource.TAUTULLI,
            dir -> ImportFixtures.copy(ImportFixtures.PLAYBACK_REPORTING, dir),
            "it has no table session_history; it has no table session_history_metadata"),
        bad(
            "Tautulli: the file is gone",
            ImportSource.TAUTULLI,
            dir -> dir.resolve("missing.db"),
            "file not found: missing.db"),
        bad(
            "Playback Reporting: the Tautulli database sent as Playback Reporting",
            ImportSource.PLAYBACK_REPORTING,
            dir -> ImportFixtures.copy(ImportFixtures.TAUTULLI, dir),
            "not a Playback Reporting database of a known schema: it has no table PlaybackActivity"),
        bad(
            "Playback Reporting: a column is missing",
            ImportSource.PLAYBACK_REPORTING,
            dir ->
                alter(
                    ImportFixtures.copy(ImportFixtures.PLAYBACK_REPORTING, dir),
                    "ALTER TABLE PlaybackActivity DROP COLUMN PlayDuration"),
            "table PlaybackActivity has no column PlayDuration"),
        bad(
            "Playback Reporting: a corrupt database",
            ImportSource.PLAYBACK_REPORTING,
            dir ->
                corruptAfterFirstPage(ImportFixtures.copy(ImportFixtures.PLAYBACK_REPORTING, dir)),
            "corrupt database: "),
        bad(
            "Playback Reporting: JSON is not SQLite",
            ImportSource.PLAYBACK_REPORTING,
            dir -> ImportFixtures.copy(ImportFixtures.JELLYSTAT, dir),
            "not an SQLite database"),
        bad(
            "Jellystat: an SQLite database is not JSON",
            ImportSource.JELLYSTAT,
            dir -> ImportFixtures.copy(ImportFixtures.TAUTULLI, dir),
            "not a JSON file: "),
        bad(
            "Jellystat: an empty file",
            ImportSource.JELLYSTAT,
            dir -> Files.createFile(dir.resolve("empty.json")),
            "the file is empty"),
        bad(
            "Jellystat: a truncated backup",
            ImportSource.JELLYSTAT,
            dir -> truncateToHalf(ImportFixtures.copy(ImportFixtures.JELLYSTAT, dir)),
            "the JSON ends early"),
        bad(
            "Jellystat: malformed JSON in the middle",
            ImportSource.JELLYSTAT,
            dir ->
                Files.writeString(
                    dir.resolve("broken.json"), "[{\"jf_users\":[{\"Id\":\"a\",\"Name\":}]}]"),
            "malformed JSON at line 1, column 32"),
        bad(
            "Jellystat: JSON of another shape",
            ImportSource.JELLYSTAT,
            dir -> Files.writeString(dir.resolve("object.json"), "{\"jf_playback_activity\":[]}"),
            "not a Jellystat backup: it should be a JSON list of tables"),
        bad(
            "Jellystat: a backup without Activity",
            ImportSource.JELLYSTAT,
            dir ->
                Files.writeString(
                    dir.resolve("no-activity.json"), "[{\"jf_users\":[]},{\"jf_libraries\":[]}]"),
            "it has no jf_playback_activity table"));
  }

  private static Arguments bad(String name, ImportSource source, BadFile file, String message) {
    return Arguments.of(name, source, file, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void failsWithAMessageAPersonCanActOn(
      String name, ImportSource source, BadFile badFile, String message, @TempDir Path dir)
      throws Exception {
    Path file = badFile.make(dir);
    CollectingSink sink = new CollectingSink();
    ImportFailure failure =
        assertThrows(ImportFailure.class, () -> source.reader().read(file, sink));
    assertTrue(
        failure.getMessage().contains(message), () -> "message was: " + failure.getMessage());
    assertEquals(0, sink.sessions.size(), "no row may reach the sink before the file is judged");
  }

  /** Keeps the header and schema page, so the file opens and fails only when its rows are read. */
  static Path corruptAfterFirstPage(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int pageSize = ((bytes[16] & 0xff) << 8) | (bytes[17] & 0xff);
    Arrays.fill(bytes, pageSize, bytes.length, (byte) 0xA5);
    return Files.write(file, bytes);
  }

  static Path truncateToHalf(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
  }

  static Path alter(Path file, String sql) {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = db.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return file;
  }
}
