package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small translations every reader shares: times written as text, resolutions, Jellyfin ids. */
class SourceValuesTest {

  @ParameterizedTest(name = "\"{0}\" → {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "2024-03-01T20:00:00.000Z      | 2024-03-01T20:00:00Z", // node-postgres + JSON.stringify
        "2024-03-01 21:00:00.123+01    | 2024-03-01T20:00:00.123Z", // PostgreSQL text, dayjs
        "2024-03-01 21:00:00+01:00     | 2024-03-01T20:00:00Z",
        "2024-03-01 22:30:00.1234567   | 2024-03-01T20:30:00.1234567Z", // .NET FFFFFFF, server on
        // UTC+2
        "2024-03-01 22:30:00           | 2024-03-01T20:30:00Z", // FFFFFFF with a whole second
        "2024-03-01 22:30              | 2024-03-01T20:30:00Z",
        "yesterday                     | null",
        "''                            | null",
      })
  void timesAsTheSourcesWriteThem(String text, String expected) {
    Instant parsed = SourceTimes.parse(text, ZoneId.of("+02:00"));
    assertEquals(expected == null ? null : Instant.parse(expected), parsed);
  }

  @ParameterizedTest(name = "{0} lines → {1}")
  @CsvSource(
      nullValues = "null",
      value = {
        "2160, 4k",
        "1600, 4k",
        "1440, 1440p",
        "1080, 1080p",
        "800, 1080p",
        "720, 720p",
        "576, 576p",
        "480, 480p",
        "360, sd",
        "0, null",
      })
  void heightsAreBucketedAsPlayersLabelThem(long height, String label) {
    assertEquals(label, Resolutions.fromHeight(height));
  }

  @ParameterizedTest(name = "Plex \"{0}\" → {1}")
  @CsvSource(
      nullValues = "null",
      value = {"1080, 1080p", "720, 720p", "4k, 4k", "SD, sd", "'', null"})
  void plexLabelsJoinTheSameVocabulary(String plex, String label) {
    assertEquals(label, Resolutions.fromPlexLabel(plex));
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      nullValues = "null",
      value = {
        "a11ce000000000000000000000000001, a11ce000000000000000000000000001",
        "A11CE000-0000-0000-0000-000000000001, a11ce000000000000000000000000001",
        "not-a-guid, not-a-guid",
        "'', null",
      })
  void jellyfinIdsAreSpelledOneWay(String id, String normalized) {
    assertEquals(normalized, JellyfinIds.normalize(id));
  }
}
