package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.api.Problem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ImportSourceTest {

  @ParameterizedTest(name = "{0} is read by {1}")
  @CsvSource({
    "tautulli,           TautulliReader",
    "jellystat,          JellystatReader",
    "playback_reporting, PlaybackReportingReader",
  })
  void eachSourceNameHasItsReader(String name, String reader) {
    ImportSource source = ImportSource.fromWireName(name);
    assertEquals(name, source.wireName());
    assertEquals(reader, source.reader().getClass().getSimpleName());
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @NullAndEmptySource
  @ValueSource(strings = {"Tautulli", "plex", "playback-reporting"})
  void anUnknownSourceIsA400NamingTheField(String name) {
    Problem p = assertThrows(Problem.class, () -> ImportSource.fromWireName(name));
    assertEquals(400, p.status());
    assertEquals("source", p.errors().get(0).field());
    assertTrue(p.errors().get(0).message().contains("tautulli, jellystat, playback_reporting"));
  }
}
