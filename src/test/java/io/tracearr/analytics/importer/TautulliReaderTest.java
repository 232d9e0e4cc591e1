package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Tautulli fixture (see TAUTULLI_ROWS in scripts/make-import-fixtures.py) read end to end.
 * Every expected figure is worked out by hand from those rows; T0 = 2024-03-01T20:00:00Z.
 */
class TautulliReaderTest {

  @TempDir static Path dir;
  static Path file;
  static CollectingSink sink;

  @BeforeAll
  static void readFixture() throws Exception {
    file = ImportFixtures.copy(ImportFixtures.TAUTULLI, dir);
    sink = new CollectingSink();
    new TautulliReader().read(file, sink);
  }

  @Test
  void sevenOfTenRowsAreSessionsAndTheRestAreCountedByReason() {
    assertEquals(7, sink.sessions.size());
    // row 7 stopped before it started, row 9 paused 900 s in a 600 s session, row 10 has no user
    assertEquals(Map.of(SkipReason.IMPOSSIBLE_TIMES, 2, SkipReason.MISSING_USER, 1), sink.skipped);
    assertEquals(
        List.of(
            "tautulli:session_history:7",
            "tautulli:session_history:9",
            "tautulli:session_history:10"),
        sink.skippedRowIds);
  }

  @Test
  void playedTimeIsStoppedMinusStartedMinusPaused() {
    // 3600-300 + 1200 + (1680-60) + 5400 + (2880-120) + 354 + 900
    assertEquals(3300 + 1200 + 1620 + 5400 + 2760 + 354 + 900, sink.playedSeconds());
  }

  @Test
  void usersAreNamedByFriendlyNameThenUsernameThenHistory() {
    Map<String, Long> playedByUser =
        sink.sessions.stream()
            .collect(
                Collectors.groupingBy(
                    s -> s.externalUserId() + " " + s.userName(),
                    TreeMap::new,
                    Collectors.summingLong(ImportedSession::playedSeconds)));
    // Alice: friendly_name; bob: no friendly name; dave (1004): not in users, named by
    // session_history.user
    assertEquals(
        Map.of("1001 Alice", 6120L, "1002 bob", 8160L, "1003 Carol C", 354L, "1004 dave", 900L),
        playedByUser);
  }

  @Test
  void titlesAndTypesComeFromTheMetadata() {
    Map<String, Long> plays =
        sink.sessions.stream()
            .collect(
                Collectors.groupingBy(
                    s -> s.contentType().wireName() + " " + s.title(),
                    TreeMap::new,
                    Collectors.counting()));
    assertEquals(
        Map.of(
            "movie Inception", 2L,
            "episode Cat's in the Bag...", 3L,
            "episode ...And the Bag's in the River", 1L,
            "track Bohemian Rhapsody", 1L),
        plays);
  }

  @Test
  void chainedRowsStayOneSessionEach() {
    ImportedSession first = sink.byRowId("tautulli:session_history:2");
    ImportedSession resumed = sink.byRowId("tautulli:session_history:3");
    assertEquals(first.externalItemId(), resumed.externalItemId());
    assertEquals(Instant.parse("2024-03-02T20:00:00Z"), first.startedAt());
    assertEquals(Instant.parse("2024-03-02T20:20:00Z"), first.endedAt());
    assertEquals(Instant.parse("2024-03-02T20:30:00Z"), resumed.startedAt());
    assertEquals(Instant.parse("2024-03-02T20:58:00Z"), resumed.endedAt());
    assertEquals(1620, resumed.playedSeconds());
    assertEquals(2820.0, resumed.positionSeconds());
  }

  @Test
  void aMovieRowCarriesEveryField() {
    ImportedSession s = sink.byRowId("tautulli:session_history:1");
    assertEquals(
        new ImportedSession(
            "tautulli:session_history:1",
            "1001",
            "Alice",
            "501",
            ContentType.MOVIE,
            "Inception",
            null,
            null,
            null,
            2010,
            8880.0,
            "mach-alice-tv",
            "Living Room TV",
            "Plex for Android (TV)",
            "Android",
            "203.0.113.10",
            Instant.parse("2024-03-01T20:00:00Z"),
            Instant.parse("2024-03-01T21:00:00Z"),
            3300,
            3300.0,
            false,
            "1080p",
            21000),
        s);
  }

  @Test
  void anEpisodeRowNamesItsSeriesSeasonAndEpisode() {
    ImportedSession s = sink.byRowId("tautulli:session_history:5");
    assertEquals(ContentType.EPISODE, s.contentType());
    assertEquals("Breaking Bad", s.seriesTitle());
    assertEquals(1, s.seasonNumber());
    assertEquals(3, s.episodeNumber());
    assertEquals(2008, s.year());
    assertEquals(2880.0, s.mediaDurationSeconds());
  }

  @Test
  void aTrackHasNoSeriesAndNoResolution() {
    ImportedSession s = sink.byRowId("tautulli:session_history:6");
    assertEquals(ContentType.TRACK, s.contentType());
    assertNull(s.seriesTitle());
    assertNull(s.seasonNumber());
    assertNull(s.resolution());
  }

  @ParameterizedTest(name = "row {0}: transcode_decision {1} → transcoded {2}, {3}")
  @CsvSource({
    "1, direct play, false, 1080p, 21000",
    "2, transcode,   true,  720p,  4000",
    "4, transcode,   true,  4k,    45000",
    "5, copy,        false, 1080p, 8000",
  })
  void onlyATranscodeDecisionIsATranscode(
      int row, String decision, boolean transcoded, String resolution, int bandwidth) {
    ImportedSession s = sink.byRowId("tautulli:session_history:" + row);
    assertEquals(transcoded, s.transcoded(), decision);
    assertEquals(resolution, s.resolution());
    assertEquals(bandwidth, s.bandwidthKbps());
  }

  @Test
  void readingAgainGivesTheSameRowIdsSoAReimportAddsNothing() throws Exception {
    CollectingSink again = new CollectingSink();
    new TautulliReader().read(file, again);
    assertEquals(sink.sessions, again.sessions);
    assertEquals(
        sink.sessions.size(),
        sink.sessions.stream().map(ImportedSession::sourceRowId).distinct().count());
  }

  @Test
  void theOperatorsFileIsNotChangedAndNothingIsLeftBesideIt() throws Exception {
    assertArrayEquals(ImportFixtures.bytes(ImportFixtures.TAUTULLI), Files.readAllBytes(file));
    // the fixture is in WAL mode, like Tautulli's own: a plain read-only open would leave -wal and
    // -shm
    try (var files = Files.list(dir)) {
      assertEquals(
          List.of(file.getFileName().toString()),
          files.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void aSinkThatThrowsStopsTheReadWithItsOwnException() {
    IllegalStateException cancelled = new IllegalStateException("cancelled");
    int[] accepted = {0};
    RowSink cancelling =
        new RowSink() {
          @Override
          public void accept(ImportedSession session) {
            accepted[0]++;
            throw cancelled;
          }

          @Override
          public void skip(SkipReason reason, String sourceRowId) {}
        };
    assertSame(
        cancelled,
        assertThrows(
            IllegalStateException.class, () -> new TautulliReader().read(file, cancelling)));
    assertEquals(1, accepted[0]);
  }
}
