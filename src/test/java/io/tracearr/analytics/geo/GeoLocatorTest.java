package io.tracearr.analytics.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.geo.GeoLocator.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GeoLocatorTest {

  static final Path FIXTURE = fixture();

  private static GeoLocator locator;

  static Path fixture() {
    try {
      return Path.of(GeoLocatorTest.class.getResource("/geoip/GeoIP2-City-Test.mmdb").toURI());
    } catch (Exception e) {
      throw new IllegalStateException("GeoIP fixture missing from the test classpath", e);
    }
  }

  @BeforeAll
  static void open() throws IOException {
    locator = GeoLocator.open(FIXTURE, new NetworkPolicy(List.of("81.2.69.128/25")), 100);
  }

  @AfterAll
  static void close() throws IOException {
    locator.close();
  }

  static Stream<Arguments> fixtureNetworks() {
    return Stream.of(
        Arguments.of("Paris", "90.80.10.7", new Location("Paris", "FR", 48.8566, 2.3522, 5)),
        Arguments.of(
            "Syracuse", "24.24.24.24", new Location("Syracuse", "US", 43.0481, -76.1474, 5)),
        Arguments.of("London", "81.2.69.10", new Location("London", "GB", 51.5074, -0.1278, 5)),
        Arguments.of(
            "New York", "72.229.28.185", new Location("New York", "US", 40.7128, -74.0060, 5)),
        Arguments.of("Berlin", "85.214.132.117", new Location("Berlin", "DE", 52.52, 13.405, 5)),
        Arguments.of("Munich", "89.204.130.1", new Location("Munich", "DE", 48.1351, 11.582, 5)),
        Arguments.of(
            "Sydney", "203.2.218.214", new Location("Sydney", "AU", -33.8688, 151.2093, 5)),
        Arguments.of("Lyon", "176.161.10.254", new Location("Lyon", "FR", 45.764, 4.8357, 10)),
        Arguments.of(
            "US centroid has no city", "12.34.56.78", new Location(null, "US", 39.76, -98.5, 1000)),
        Arguments.of(
            "FR centroid has no city", "62.147.0.1", new Location(null, "FR", 46.0, 2.0, 500)),
        Arguments.of(
            "Paris over IPv6",
            "2a01:e0a:12:3400::1",
            new Location("Paris", "FR", 48.8566, 2.3522, 5)),
        Arguments.of(
            "Paris via IPv4-mapped IPv6",
            "::ffff:90.80.10.7",
            new Location("Paris", "FR", 48.8566, 2.3522, 5)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("fixtureNetworks")
  void locatesEveryFixtureNetwork(String why, String ip, Location expected) {
    GeoLocator.Lookup lookup = locator.lookup(ip);
    assertEquals(Outcome.LOCATED, lookup.outcome());
    assertEquals(Optional.of(expected), lookup.location());
    assertEquals(Optional.of(expected), locator.locate(ip));
  }

  static Stream<Arguments> notLocated() {
    return Stream.of(
        Arguments.of("private 10/8", "10.0.0.1", Outcome.NEVER_LOCATED),
        Arguments.of("private 172.16/12", "172.16.5.4", Outcome.NEVER_LOCATED),
        Arguments.of("private 192.168/16", "192.168.1.1", Outcome.NEVER_LOCATED),
        Arguments.of("loopback", "127.0.0.1", Outcome.NEVER_LOCATED),
        Arguments.of("link-local", "169.254.1.1", Outcome.NEVER_LOCATED),
        Arguments.of("CGNAT", "100.64.1.2", Outcome.NEVER_LOCATED),
        Arguments.of("ULA", "fd00::1", Outcome.NEVER_LOCATED),
        Arguments.of("IPv6 loopback", "::1", Outcome.NEVER_LOCATED),
        Arguments.of("IPv6 link-local", "fe80::1", Outcome.NEVER_LOCATED),
        Arguments.of("mapped private 10/8", "::ffff:10.0.0.1", Outcome.NEVER_LOCATED),
        Arguments.of("mapped private 192.168/16", "::ffff:192.168.1.1", Outcome.NEVER_LOCATED),
        Arguments.of(
            "trusted CIDR inside the London network", "81.2.69.200", Outcome.NEVER_LOCATED),
        Arguments.of("unknown public IPv4", "8.8.8.8", Outcome.NOT_FOUND),
        Arguments.of("unknown public IPv6", "2001:4860:4860::8888", Outcome.NOT_FOUND),
        Arguments.of("neighbour of the Paris network", "90.80.11.1", Outcome.NOT_FOUND),
        Arguments.of("garbage", "not-an-ip", Outcome.INVALID),
        Arguments.of("hostname", "localhost", Outcome.INVALID),
        Arguments.of("three octets", "1.2.3", Outcome.INVALID),
        Arguments.of("empty", "", Outcome.INVALID),
        Arguments.of("null", null, Outcome.INVALID));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("notLocated")
  void doesNotLocate(String why, String ip, Outcome expected) {
    GeoLocator.Lookup lookup = locator.lookup(ip);
    assertEquals(expected, lookup.outcome());
    assertEquals(Optional.empty(), lookup.location());
    assertEquals(Optional.empty(), locator.locate(ip));
  }

  @Test
  void cachedAnswersStayTheSame() {
    for (int i = 0; i < 3; i++) {
      assertEquals(Outcome.NOT_FOUND, locator.lookup("8.8.4.4").outcome());
      assertEquals(Outcome.LOCATED, locator.lookup("24.24.24.1").outcome());
    }
  }

  @Test
  void worksWithAZeroSizedCache() throws IOException {
    try (GeoLocator uncached = GeoLocator.open(FIXTURE, NetworkPolicy.defaults(), 0)) {
      assertEquals("Berlin", uncached.locate("85.214.132.1").orElseThrow().city());
      assertEquals("Berlin", uncached.locate("85.214.132.1").orElseThrow().city());
    }
  }

  @Test
  void disabledLocatorAnswersDisabledForEverything() throws IOException {
    try (GeoLocator disabled = GeoLocator.disabled()) {
      assertFalse(disabled.enabled());
      for (String ip : new String[] {"90.80.10.7", "10.0.0.1", "garbage"}) {
        assertEquals(Outcome.DISABLED, disabled.lookup(ip).outcome());
        assertEquals(Optional.empty(), disabled.locate(ip));
      }
    }
    assertTrue(locator.enabled());
  }

  @Test
  void openFailsForAMissingFile(@TempDir Path dir) {
    assertThrows(
        IOException.class,
        () -> GeoLocator.open(dir.resolve("missing.mmdb"), NetworkPolicy.defaults(), 10));
  }

  @Test
  void openFailsForAFileThatIsNotADatabase(@TempDir Path dir) throws IOException {
    Path junk = Files.writeString(dir.resolve("junk.mmdb"), "definitely not a MaxMind database");
    assertThrows(IOException.class, () -> GeoLocator.open(junk, NetworkPolicy.defaults(), 10));
  }

  /**
   * A file replaced in place (geoipupdate) is picked up without a restart; an unchanged one is not
   * re-opened.
   */
  @org.junit.jupiter.api.Test
  void aReplacedFileIsReloadedAndAnUnchangedOneIsNot() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("geo-reload");
    java.nio.file.Path copy = dir.resolve("GeoLite2-City.mmdb");
    java.nio.file.Files.copy(FIXTURE, copy);
    try (GeoLocator reloading = GeoLocator.open(copy, NetworkPolicy.defaults(), 100)) {
      org.junit.jupiter.api.Assertions.assertFalse(reloading.reloadIfChanged());
      java.nio.file.Path next = dir.resolve("next.mmdb");
      java.nio.file.Files.copy(FIXTURE, next);
      java.nio.file.Files.setLastModifiedTime(
          next,
          java.nio.file.attribute.FileTime.fromMillis(
              java.nio.file.Files.getLastModifiedTime(copy).toMillis() + 60_000));
      java.nio.file.Files.move(
          next,
          copy,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      org.junit.jupiter.api.Assertions.assertTrue(reloading.reloadIfChanged());
      org.junit.jupiter.api.Assertions.assertFalse(reloading.reloadIfChanged());
      org.junit.jupiter.api.Assertions.assertTrue(
          reloading.locate("81.2.69.142").isPresent(), "still locates after the swap");
    }
  }
}
