package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Playback Reporting fixture (PLAYBACK_REPORTING_ROWS in scripts/make-import-fixtures.py) read
 * end to end.
 */
class PlaybackReportingReaderTest {

  static final String ALICE = "a11ce000000000000000000000000001";
  static final String FRANK = "f4a4c000000000000000000000000004";
  static final String INCEPTION = "c0000000000000000000000000000501";

  @TempDir static Path dir;
  static Path file;
  static CollectingSink sink;

  @BeforeAll
  static void readFixture() throws Exception {
    file = ImportFixtures.copy(ImportFixtures.PLAYBACK_REPORTING, dir);
    sink = new CollectingSink();
    new PlaybackReportingReader(ZoneOffset.UTC).read(file, sink);
  }

  @Test
  void threeOfFiveRowsAreSessionsAndTheRestAreCountedByReason() {
    assertEquals(3, sink.sessions.size());
    assertEquals(Map.of(SkipReason.MISSING_USER, 1, SkipReason.IMPOSSIBLE_TIMES, 1), sink.skipped);
    assertEquals(5400 + 1800 + 354, sink.playedSeconds());
  }

  @Test
  void aMovieCarriesWhatThePluginRecords() {
    String rowId =
        "playback_reporting:PlaybackActivity:2024-03-15 20:00:00.1234567/"
            + ALICE
            + "/"
            + INCEPTION;
    // no user name, IP, device id, resolution or bandwidth: the plugin does not record them
    assertEquals(
        new ImportedSession(
            rowId,
            ALICE,
            null,
            INCEPTION,
            ContentType.MOVIE,
            "Inception",
            null,
            null,
            null,
            null,
            null,
            null,
            "Chrome",
            "Jellyfin Web",
            null,
            null,
            Instant.parse("2024-03-15T20:00:00.1234567Z"),
            Instant.parse("2024-03-15T21:30:00.1234567Z"),
            5400,
            0,
            false,
            null,
            0),
        sink.byRowId(rowId));
  }

  @Test
  void anEpisodesNameIsSplitIntoSeriesSeasonEpisodeAndTitle() {
    ImportedSession s = sink.sessions.get(1);
    assertEquals(
        List.of("Breaking Bad", 1, 2, "Cat's in the Bag..."),
        List.of(s.seriesTitle(), s.seasonNumber(), s.episodeNumber(), s.title()));
    assertEquals(ContentType.EPISODE, s.contentType());
    assertTrue(s.transcoded());
    // "FFFFFFF" wrote a whole second without a fraction
    assertEquals(Instant.parse("2024-03-16T21:30:00Z"), s.startedAt());
    assertEquals(Instant.parse("2024-03-16T22:00:00Z"), s.endedAt());
  }

  @Test
  void audioIsATrackAndDirectStreamIsNotATranscode() {
    ImportedSession s = sink.sessions.get(2);
    assertEquals(FRANK, s.externalUserId());
    assertEquals(ContentType.TRACK, s.contentType());
    assertEquals("Queen - Bohemian Rhapsody (A Night at the Opera)", s.title());
    assertFalse(s.transcoded());
    assertEquals(Instant.parse("2024-03-17T08:15:30.5Z"), s.startedAt());
  }

  @Test
  void datesAreTheServersLocalTime(@TempDir Path tmp) throws Exception {
    CollectingSink paris = new CollectingSink();
    new PlaybackReportingReader(ZoneId.of("Europe/Paris"))
        .read(ImportFixtures.copy(ImportFixtures.PLAYBACK_REPORTING, tmp), paris);
    // 20:00 in Paris in March (CET, before the switch to summer time on the 31st) is 19:00 UTC
    assertEquals(Instant.parse("2024-03-15T19:00:00.1234567Z"), paris.sessions.get(0).startedAt());
    // the row id is the source's text, not our reading of it: the same file gives the same ids in
    // any zone
    assertEquals(sink.sessions.get(0).sourceRowId(), paris.sessions.get(0).sourceRowId());
  }

  @Test
  void theOperatorsFileIsNotChanged() throws Exception {
    assertArrayEquals(
        ImportFixtures.bytes(ImportFixtures.PLAYBACK_REPORTING), Files.readAllBytes(file));
  }
}
