package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlexSessionsTest {

  static final List<ObservedPlayback> FIXTURE = parseFixture();

  static List<ObservedPlayback> parseFixture() {
    try {
      return PlexSessions.parse(Fixtures.object(Fixtures.PLEX_STATUS_SESSIONS));
    } catch (MalformedPayload e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void everyMetadataElementIsOnePlayback() {
    assertEquals(
        List.of("41", "42", "43"),
        FIXTURE.stream().map(ObservedPlayback::serverSessionKey).toList());
  }

  static Stream<Arguments> fields() {
    return Stream.of(
        field("episode: sessionKey is the key", 0, ObservedPlayback::serverSessionKey, "41"),
        field(
            "episode: Session.id is what terminate takes",
            0,
            ObservedPlayback::controlId,
            "k2m9x7q4w1e8r5t3y6u0i2o4"),
        field("episode: ratingKey is the item", 0, ObservedPlayback::itemId, "1003"),
        field("episode: User.id is the external user", 0, ObservedPlayback::externalUserId, "1"),
        field("episode: User.title is the name", 0, ObservedPlayback::userName, "walter"),
        field(
            "episode: Player.machineIdentifier is the device",
            0,
            ObservedPlayback::deviceId,
            "a1b2c3d4e5f6a7b8-com-plexapp-android"),
        field(
            "episode: Player.title is the device name", 0, ObservedPlayback::deviceName, "Pixel 8"),
        field(
            "episode: Player.product is the client",
            0,
            ObservedPlayback::client,
            "Plex for Android (Mobile)"),
        field("episode: Player.platform is kept", 0, ObservedPlayback::platform, "Android"),
        field(
            "episode: from outside (local false, wan) the public address wins over the proxy's",
            0,
            ObservedPlayback::ipAddress,
            "203.0.113.24"),
        field(
            "episode: viewOffset / 1000 is the position",
            0,
            ObservedPlayback::positionSeconds,
            752.345),
        field("episode: Player.state playing", 0, ObservedPlayback::status, "playing"),
        field(
            "episode: TranscodeSession.videoDecision transcode is transcoded",
            0,
            ObservedPlayback::transcoded,
            true),
        field(
            "episode: Media.videoResolution 720 is 720p", 0, ObservedPlayback::resolution, "720p"),
        field(
            "episode: Session.bandwidth is the bandwidth in kb/s",
            0,
            ObservedPlayback::bandwidthKbps,
            5200),
        field("episode: type episode", 0, ObservedPlayback::contentType, "episode"),
        field("episode: title", 0, ObservedPlayback::title, "Cat's in the Bag..."),
        field(
            "episode: grandparentTitle is the series",
            0,
            ObservedPlayback::seriesTitle,
            "Breaking Bad"),
        field("episode: parentIndex is the season", 0, ObservedPlayback::seasonNumber, 1),
        field("episode: index is the episode", 0, ObservedPlayback::episodeNumber, 2),
        field("episode: year", 0, ObservedPlayback::year, 2008),
        field(
            "episode: duration / 1000 is the duration",
            0,
            ObservedPlayback::durationSeconds,
            2880.0),
        field("movie: Player.state paused", 1, ObservedPlayback::status, "paused"),
        field(
            "movie: no TranscodeSession is not transcoded", 1, ObservedPlayback::transcoded, false),
        field(
            "movie: on the LAN Player.address is the address",
            1,
            ObservedPlayback::ipAddress,
            "192.168.1.42"),
        field(
            "movie: Media.videoResolution 1080 wins over the 800 px height",
            1,
            ObservedPlayback::resolution,
            "1080p"),
        field("movie: no series", 1, ObservedPlayback::seriesTitle, null),
        field("movie: no episode number", 1, ObservedPlayback::episodeNumber, null),
        field("track: type track", 2, ObservedPlayback::contentType, "track"),
        field("track: audio has no resolution", 2, ObservedPlayback::resolution, null),
        field("track: an artist is not a series", 2, ObservedPlayback::seriesTitle, null),
        field(
            "track: Player.title is the device name",
            2,
            ObservedPlayback::deviceName,
            "Walter's iPhone"));
  }

  static Arguments field(
      String name, int index, Function<ObservedPlayback, Object> read, Object expected) {
    return Arguments.of(name, index, read, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fields")
  void fixtureFields(
      String name, int index, Function<ObservedPlayback, Object> read, Object expected) {
    assertEquals(expected, read.apply(FIXTURE.get(index)));
  }

  static Stream<Arguments> tolerated() {
    return Stream.of(
        Arguments.of(
            "an idle server: size 0 and no Metadata", "{\"MediaContainer\": {\"size\": 0}}", 0),
        Arguments.of(
            "an element that is not an object is skipped",
            "{\"MediaContainer\": {\"Metadata\": [1, \"x\"]}}",
            0),
        Arguments.of(
            "an item without User is skipped",
            "{\"MediaContainer\": {\"Metadata\": [{\"sessionKey\": \"1\", \"ratingKey\": \"2\"}]}}",
            0),
        Arguments.of(
            "numeric keys and user id are read as text",
            "{\"MediaContainer\": {\"Metadata\": [{\"sessionKey\": 1, \"ratingKey\": 2, \"User\": {\"id\": 3}}]}}",
            1),
        Arguments.of(
            "XML-style 1/0 flags and string numbers are understood",
            "{\"MediaContainer\": {\"Metadata\": [{\"sessionKey\": \"1\", \"ratingKey\": \"2\", \"viewOffset\": \"5000\","
                + " \"User\": {\"id\": \"3\"}, \"Player\": {\"local\": \"1\", \"address\": \"::ffff:192.168.1.9\"}}]}}",
            1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tolerated")
  void toleratesOddSessions(String name, String body, int playbacks) throws MalformedPayload {
    assertEquals(playbacks, PlexSessions.parseBody(body).size());
  }

  @Test
  void xmlStyleValuesAreConverted() throws MalformedPayload {
    ObservedPlayback p =
        PlexSessions.parseBody(
                "{\"MediaContainer\": {\"Metadata\": [{\"sessionKey\": \"1\","
                    + " \"ratingKey\": \"2\", \"viewOffset\": \"5000\", \"User\": {\"id\": \"3\"},"
                    + " \"Player\": {\"local\": \"1\", \"address\": \"::ffff:192.168.1.9\"}}]}}")
            .get(0);
    assertEquals(5.0, p.positionSeconds());
    assertEquals("192.168.1.9", p.ipAddress());
    assertEquals(null, p.controlId());
  }

  @Test
  void anAudioTranscodeWithoutVideoDecisionCountsAsTranscoded() throws MalformedPayload {
    ObservedPlayback p =
        PlexSessions.parseBody(
                "{\"MediaContainer\": {\"Metadata\": [{\"sessionKey\": \"1\","
                    + " \"ratingKey\": \"2\", \"type\": \"track\", \"User\": {\"id\": \"3\"},"
                    + " \"TranscodeSession\": {\"audioDecision\": \"transcode\"}}]}}")
            .get(0);
    assertEquals(true, p.transcoded());
  }

  @Test
  void aVideoCopyWithAnAudioTranscodeIsNotAVideoTranscode() throws MalformedPayload {
    ObservedPlayback p =
        PlexSessions.parseBody(
                "{\"MediaContainer\": {\"Metadata\": [{\"sessionKey\": \"1\","
                    + " \"ratingKey\": \"2\", \"type\": \"movie\", \"User\": {\"id\": \"3\"},"
                    + " \"TranscodeSession\": {\"videoDecision\": \"copy\", \"audioDecision\": \"transcode\"}}]}}")
            .get(0);
    assertEquals(false, p.transcoded());
  }

  @Test
  void liveTvIsLive() {
    assertEquals("live", PlexSessions.contentType("episode", true));
    assertEquals("other", PlexSessions.contentType("clip", false));
  }

  @ParameterizedTest(name = "garbage is a MalformedPayload: {0}")
  @ValueSource(
      strings = {
        "<html><body>Unauthorized</body></html>",
        "[]",
        "{\"Metadata\": []}",
        "{\"MediaContainer\": 3}",
        "",
        "{"
      })
  void garbageIsMalformed(String body) {
    assertThrows(MalformedPayload.class, () -> PlexSessions.parseBody(body));
  }
}
