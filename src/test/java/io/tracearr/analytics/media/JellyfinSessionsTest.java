package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JellyfinSessionsTest {

  static final List<ObservedPlayback> FIXTURE =
      JellyfinSessions.parse(Fixtures.array(Fixtures.JELLYFIN_SESSIONS));

  @Test
  void theIdleDashboardSessionIsSkipped() {
    assertEquals(
        List.of("c7a14e0b2f6d4a9e8b1c3d5e7f9a0b2c", "f0e1d2c3b4a5968778695a4b3c2d1e0f"),
        FIXTURE.stream().map(ObservedPlayback::serverSessionKey).toList());
  }

  static Stream<Arguments> fields() {
    return Stream.of(
        field(
            "episode: session Id is the key",
            0,
            ObservedPlayback::serverSessionKey,
            "c7a14e0b2f6d4a9e8b1c3d5e7f9a0b2c"),
        field(
            "episode: session Id is also what Message/Playing/Stop take",
            0,
            ObservedPlayback::controlId,
            "c7a14e0b2f6d4a9e8b1c3d5e7f9a0b2c"),
        field(
            "episode: NowPlayingItem.Id is the item",
            0,
            ObservedPlayback::itemId,
            "9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"),
        field(
            "episode: UserId is the external user",
            0,
            ObservedPlayback::externalUserId,
            "6e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b"),
        field("episode: UserName is kept", 0, ObservedPlayback::userName, "walter"),
        field("episode: DeviceId", 0, ObservedPlayback::deviceId, "YW5kcm9pZC1waXhlbDgtd2FsdGVy"),
        field("episode: DeviceName", 0, ObservedPlayback::deviceName, "Pixel 8"),
        field("episode: Client is the client", 0, ObservedPlayback::client, "Jellyfin Android"),
        field(
            "episode: RemoteEndPoint is the address",
            0,
            ObservedPlayback::ipAddress,
            "203.0.113.24"),
        field(
            "episode: PositionTicks / 10^7 is the position",
            0,
            ObservedPlayback::positionSeconds,
            752.345),
        field("episode: IsPaused false is playing", 0, ObservedPlayback::status, "playing"),
        field("episode: PlayMethod Transcode is transcoded", 0, ObservedPlayback::transcoded, true),
        field(
            "episode: the transcoder's 1280x720 output is the resolution, not the 1080p source",
            0,
            ObservedPlayback::resolution,
            "720p"),
        field(
            "episode: TranscodingInfo.Bitrate 4616000 b/s is 4616 kb/s",
            0,
            ObservedPlayback::bandwidthKbps,
            4616),
        field("episode: Type Episode is episode", 0, ObservedPlayback::contentType, "episode"),
        field("episode: Name is the title", 0, ObservedPlayback::title, "Cat's in the Bag..."),
        field(
            "episode: SeriesName is the series", 0, ObservedPlayback::seriesTitle, "Breaking Bad"),
        field("episode: ParentIndexNumber is the season", 0, ObservedPlayback::seasonNumber, 1),
        field("episode: IndexNumber is the episode", 0, ObservedPlayback::episodeNumber, 2),
        field("episode: ProductionYear is the year", 0, ObservedPlayback::year, 2008),
        field(
            "episode: RunTimeTicks / 10^7 is the duration",
            0,
            ObservedPlayback::durationSeconds,
            2880.0),
        field("episode: Jellyfin has no platform field", 0, ObservedPlayback::platform, null),
        field("movie: IsPaused true is paused", 1, ObservedPlayback::status, "paused"),
        field("movie: DirectPlay is not transcoded", 1, ObservedPlayback::transcoded, false),
        field(
            "movie: a scope 1920x800 source stream is 1080p",
            1,
            ObservedPlayback::resolution,
            "1080p"),
        field(
            "movie: without TranscodingInfo the bandwidth is unknown",
            1,
            ObservedPlayback::bandwidthKbps,
            null),
        field("movie: Type Movie is movie", 1, ObservedPlayback::contentType, "movie"),
        field("movie: a movie has no series", 1, ObservedPlayback::seriesTitle, null),
        field(
            "movie: RunTimeTicks 102000000000 is 10200 s",
            1,
            ObservedPlayback::durationSeconds,
            10200.0),
        field(
            "movie: a LAN address is kept as is", 1, ObservedPlayback::ipAddress, "192.168.1.42"));
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
        Arguments.of("an element that is not an object is skipped", "[1, \"x\", null, []]", 0),
        Arguments.of(
            "a playing session without UserId is skipped",
            "[{\"Id\": \"s\", \"NowPlayingItem\": {\"Id\": \"i\"}}]",
            0),
        Arguments.of(
            "a playing session without an item Id is skipped",
            "[{\"Id\": \"s\", \"UserId\": \"u\", \"NowPlayingItem\": {\"Name\": \"x\"}}]",
            0),
        Arguments.of(
            "NowPlayingItem of the wrong type is no item",
            "[{\"Id\": \"s\", \"UserId\": \"u\", \"NowPlayingItem\": 5}]",
            0),
        Arguments.of(
            "the bare minimum is one playback",
            "[{\"Id\": \"s\", \"UserId\": \"u\", \"NowPlayingItem\": {\"Id\": \"i\"}}]",
            1),
        Arguments.of(
            "wrong-typed optional fields read as absent",
            "[{\"Id\": \"s\", \"UserId\": \"u\", \"PlayState\": {\"PositionTicks\": \"soon\", \"IsPaused\": \"maybe\"},"
                + " \"RemoteEndPoint\": 42, \"NowPlayingItem\": {\"Id\": \"i\", \"RunTimeTicks\": {}, \"Type\": 7}}]",
            1),
        Arguments.of("an empty array is nothing playing", "[]", 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tolerated")
  void toleratesOddSessions(String name, String body, int playbacks) throws MalformedPayload {
    assertEquals(playbacks, JellyfinSessions.parseBody(body).size());
  }

  @Test
  void theBareMinimumGetsSafeDefaults() throws MalformedPayload {
    ObservedPlayback p =
        JellyfinSessions.parseBody(
                "[{\"Id\": \"s\", \"UserId\": \"u\", \"NowPlayingItem\": {\"Id\": \"i\"}}]")
            .get(0);
    assertEquals("playing", p.status());
    assertEquals(0d, p.positionSeconds());
    assertEquals("other", p.contentType());
    assertEquals(null, p.ipAddress());
    assertEquals(false, p.transcoded());
  }

  @ParameterizedTest(name = "garbage is a MalformedPayload: {0}")
  @ValueSource(
      strings = {
        "<html><body>502 Bad Gateway</body></html>",
        "{\"Sessions\": []}",
        "[{\"Id\": ",
        "",
        "null",
        "42"
      })
  void garbageIsMalformed(String body) {
    assertThrows(MalformedPayload.class, () -> JellyfinSessions.parseBody(body));
  }

  @Test
  void aNullBodyIsMalformed() {
    assertThrows(MalformedPayload.class, () -> JellyfinSessions.parseBody(null));
  }

  static Stream<Arguments> contentTypes() {
    return Stream.of(
        Arguments.of("Movie", "movie"),
        Arguments.of("Episode", "episode"),
        Arguments.of("Audio", "track"),
        Arguments.of("AudioBook", "track"),
        Arguments.of("TvChannel", "live"),
        Arguments.of("LiveTvProgram", "live"),
        Arguments.of("MusicVideo", "other"),
        Arguments.of("Trailer", "other"),
        Arguments.of(null, "other"));
  }

  @ParameterizedTest(name = "BaseItemKind {0} is {1}")
  @MethodSource("contentTypes")
  void contentTypeOfEachKind(String kind, String expected) {
    assertEquals(expected, JellyfinSessions.contentType(kind));
  }

  @Test
  void audioHasNoResolution() {
    JsonObject s =
        new JsonObject()
            .put("Id", "s")
            .put("UserId", "u")
            .put(
                "NowPlayingItem",
                new JsonObject()
                    .put("Id", "i")
                    .put("Type", "Audio")
                    .put("MediaType", "Audio")
                    .put("Width", 600)
                    .put("Height", 600));
    ObservedPlayback p = JellyfinSessions.parse(new JsonArray().add(s)).get(0);
    assertEquals("track", p.contentType());
    assertEquals(null, p.resolution());
  }

  static Stream<Arguments> addresses() {
    return Stream.of(
        Arguments.of("plain IPv4", "203.0.113.24", "203.0.113.24"),
        Arguments.of("IPv4-mapped IPv6 is the IPv4 address", "::ffff:203.0.113.24", "203.0.113.24"),
        Arguments.of("IPv4 with a port loses the port", "203.0.113.24:53412", "203.0.113.24"),
        Arguments.of(
            "bracketed IPv6 with a port is the IPv6 address", "[2001:db8::1]:8096", "2001:db8::1"),
        Arguments.of("plain IPv6", "2001:db8::1", "2001:db8::1"),
        Arguments.of(
            "a scoped IPv6 is refused (the registry refuses it too)", "fe80::1%eth0", null),
        Arguments.of("a host name is no address", "client.example", null),
        Arguments.of("blank is no address", " ", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("addresses")
  void remoteEndPointNormalisation(String name, String raw, String expected) {
    assertEquals(expected, Lenient.ip(raw));
  }

  @Test
  void aNullArrayIsNothingPlaying() {
    assertTrue(JellyfinSessions.parse(null).isEmpty());
  }
}
