package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The Jellystat backup fixture (jellystat_backup() in scripts/make-import-fixtures.py) read end to
 * end. T0 = 2024-03-01T20:00:00Z; ActivityDateInserted is the end, the start is end −
 * PlaybackDuration.
 */
class JellystatReaderTest {

  static final String ALICE = "a11ce000000000000000000000000001";
  static final String BOB = "b0b00000000000000000000000000002";
  static final String ERIN = "e1e10000000000000000000000000003";
  static final String INCEPTION = "c0000000000000000000000000000501";

  @TempDir static Path dir;
  static CollectingSink sink;

  @BeforeAll
  static void readFixture() throws Exception {
    sink = new CollectingSink();
    new JellystatReader().read(ImportFixtures.copy(ImportFixtures.JELLYSTAT, dir), sink);
  }

  @Test
  void fourOfSevenRowsAreSessionsAndTheRestAreCountedByReason() {
    assertEquals(4, sink.sessions.size());
    // act-5 has no UserId, act-6 a negative PlaybackDuration, act-7 no ActivityDateInserted
    assertEquals(
        Map.of(
            SkipReason.MISSING_USER, 1, SkipReason.IMPOSSIBLE_TIMES, 1, SkipReason.MISSING_TIME, 1),
        sink.skipped);
    assertEquals(
        List.of(
            "jellystat:jf_playback_activity:act-5",
            "jellystat:jf_playback_activity:act-6",
            "jellystat:jf_playback_activity:act-7"),
        sink.skippedRowIds);
  }

  @Test
  void playedTimeAndUsers() {
    assertEquals(3300 + 1500 + 2700 + 600, sink.playedSeconds());
    Map<String, Long> playedByUser =
        sink.sessions.stream()
            .collect(
                Collectors.groupingBy(
                    ImportedSession::userName,
                    TreeMap::new,
                    Collectors.summingLong(ImportedSession::playedSeconds)));
    // Erin's row has no UserName: her name comes from jf_users
    assertEquals(Map.of("alice", 3300L, "bob", 4200L, "Erin", 600L), playedByUser);
  }

  @ParameterizedTest(name = "{0}: {4} {5}")
  @CsvSource(
      delimiter = '|',
      value = {
        "act-1 | a11ce000000000000000000000000001 | 2024-03-10T20:05:00Z | 2024-03-10T21:00:00Z | movie   | Inception",
        "act-2 | b0b00000000000000000000000000002 | 2024-03-11T21:35:00Z | 2024-03-11T22:00:00Z | episode | Cat's in the Bag...",
        "act-3 | b0b00000000000000000000000000002 | 2024-03-11T22:15:00Z | 2024-03-11T23:00:00Z | episode | ...And the Bag's in the River",
        "act-4 | e1e10000000000000000000000000003 | 2024-03-12T19:50:00Z | 2024-03-12T20:00:00Z | movie   | Inception",
      })
  void eachSessionEndsWhenJellystatWroteItAndStartsPlayedSecondsEarlier(
      String id, String user, String started, String ended, String type, String title) {
    ImportedSession s = sink.byRowId("jellystat:jf_playback_activity:" + id);
    assertEquals(user, s.externalUserId());
    assertEquals(Instant.parse(started), s.startedAt());
    assertEquals(Instant.parse(ended), s.endedAt());
    assertEquals(type, s.contentType().wireName());
    assertEquals(title, s.title());
  }

  @Test
  void aDirectPlayMovieCarriesEveryField() {
    assertEquals(
        new ImportedSession(
            "jellystat:jf_playback_activity:act-1",
            ALICE,
            "alice",
            INCEPTION,
            ContentType.MOVIE,
            "Inception",
            null,
            null,
            null,
            2010,
            8880.0,
            "dev-alice-shield",
            "SHIELD",
            "Jellyfin Android TV",
            null,
            "198.51.100.7",
            Instant.parse("2024-03-10T20:05:00Z"),
            Instant.parse("2024-03-10T21:00:00Z"),
            3300,
            3300.0,
            false,
            "1080p",
            0),
        sink.byRowId("jellystat:jf_playback_activity:act-1"));
  }

  @Test
  void anEpisodeIsTheEpisodeNotTheSeriesAndATranscodeHasItsBitrate() {
    ImportedSession s = sink.byRowId("jellystat:jf_playback_activity:act-2");
    assertEquals("c0000000000000000000000000000602", s.externalItemId());
    assertEquals("Breaking Bad", s.seriesTitle());
    assertEquals(1, s.seasonNumber());
    assertEquals(2, s.episodeNumber());
    assertEquals(2008, s.year());
    assertEquals(2880.0, s.mediaDurationSeconds());
    assertTrue(s.transcoded());
    // TranscodingInfo: 1280x720 at 4,000,000 bps; the source stream was 1080
    assertEquals("720p", s.resolution());
    assertEquals(4000, s.bandwidthKbps());
    assertEquals(1500.0, s.positionSeconds());
  }

  @Test
  void aDirectStreamIsNotATranscodeAndItsResolutionIsTheVideoStreams() {
    ImportedSession s = sink.byRowId("jellystat:jf_playback_activity:act-3");
    assertFalse(s.transcoded());
    assertEquals("4k", s.resolution());
    assertEquals(0, s.bandwidthKbps());
  }

  @Test
  void tablesMayComeInAnyOrderAndIdsAndTimesInOtherSpellings(@TempDir Path tmp) throws Exception {
    // activity before users and items; a dashed upper-case GUID; PostgreSQL's own timestamptz text
    Path file =
        Files.writeString(
            tmp.resolve("reordered.json"),
            """
        [{"jf_playback_activity":[{"Id":"x1","UserId":"E1E10000-0000-0000-0000-000000000003",
          "NowPlayingItemId":"c0000000000000000000000000000501","PlaybackDuration":60,
          "ActivityDateInserted":"2024-03-01 21:00:00.000+01","PlayMethod":"DirectPlay",
          "MediaStreams":null,"TranscodingInfo":null,"PlayState":null}]},
         {"jf_users":[{"Id":"e1e10000000000000000000000000003","Name":"Erin"}]},
         {"jf_library_items":[{"Id":"c0000000000000000000000000000501","Name":"Inception","Type":"Movie",
          "ProductionYear":2010,"RunTimeTicks":"88800000000"}]}]
        """);
    CollectingSink reordered = new CollectingSink();
    new JellystatReader().read(file, reordered);
    ImportedSession s = reordered.sessions.get(0);
    assertEquals(ERIN, s.externalUserId());
    assertEquals("Erin", s.userName());
    assertEquals(ContentType.MOVIE, s.contentType());
    assertEquals(Instant.parse("2024-03-01T20:00:00Z"), s.endedAt());
    assertEquals(Instant.parse("2024-03-01T19:59:00Z"), s.startedAt());
    assertNull(s.resolution());
  }

  @Test
  void anItemNoLongerInTheLibraryIsOther(@TempDir Path tmp) throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("gone.json"),
            """
        [{"jf_playback_activity":[{"Id":"x2","UserId":"%s","UserName":"bob",
          "NowPlayingItemId":"deadbeefdeadbeefdeadbeefdeadbeef","NowPlayingItemName":"Some Removed Film",
          "PlaybackDuration":"120","ActivityDateInserted":"2024-03-01T20:00:00.000Z","PlayMethod":"DirectPlay"}]}]
        """
                .formatted(BOB));
    CollectingSink gone = new CollectingSink();
    new JellystatReader().read(file, gone);
    assertEquals(ContentType.OTHER, gone.sessions.get(0).contentType());
    assertEquals("Some Removed Film", gone.sessions.get(0).title());
  }
}
