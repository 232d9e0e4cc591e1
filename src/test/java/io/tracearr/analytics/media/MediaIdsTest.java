package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MediaIdsTest {

  static final UUID NAMESPACE_DNS = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  static final UUID NAMESPACE_URL = UUID.fromString("6ba7b811-9dad-11d1-80b4-00c04fd430c8");
  static final UUID SERVER =
      MediaIds.server(ServerType.JELLYFIN, "3f2b5c1d9e8a4b7c8d6e5f4a3b2c1d0e");

  /**
   * Expected values computed independently with Python's uuid.uuid5 and the same length-prefixed
   * names.
   */
  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of(
            "RFC 4122 v5: uuid5(NAMESPACE_DNS, 'python.org')",
            MediaIds.v5(NAMESPACE_DNS, "python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"),
        Arguments.of(
            "RFC 4122 v5: uuid5(NAMESPACE_URL, a URL)",
            MediaIds.v5(NAMESPACE_URL, "https://github.com/jellyfin/jellyfin"),
            "5b003e8b-fe35-5e35-92e8-ebe6c7f544ea"),
        Arguments.of(
            "server id is pinned: changing the namespace or naming would re-key every server",
            SERVER,
            "113801a8-09da-5882-a5fd-24e64eadc75d"),
        Arguments.of(
            "session id of the fixture's transcoding episode is pinned",
            MediaIds.session(
                SERVER, "c7a14e0b2f6d4a9e8b1c3d5e7f9a0b2c", "9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"),
            "1db18d0a-5c11-5327-9cf3-2894c727e707"),
        Arguments.of(
            "replay 1 of the same playback has its own pinned id",
            MediaIds.session(
                SERVER, "c7a14e0b2f6d4a9e8b1c3d5e7f9a0b2c", "9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a", 1),
            "5b726ed9-7f1b-53ae-9ead-95cd75411acc"),
        Arguments.of(
            "user id is pinned",
            MediaIds.user(SERVER, "6e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b"),
            "a46c515d-c958-5ef3-bfa6-eb5e28452760"),
        Arguments.of(
            "content id is pinned",
            MediaIds.content(SERVER, "9d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a"),
            "2db50819-9972-5c05-8592-1304b1e03e3a"),
        Arguments.of(
            "device id is pinned",
            MediaIds.device(SERVER, "YW5kcm9pZC1waXhlbDgtd2FsdGVy"),
            "f8d73810-a8a9-55e3-b3b0-a899ef399059"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void knownVectors(String name, UUID actual, String expected) {
    assertEquals(UUID.fromString(expected), actual);
    assertEquals(5, actual.version());
    assertEquals(2, actual.variant());
  }

  @Test
  void sameInputsGiveTheSameIdOnEveryCall() {
    assertEquals(MediaIds.session(SERVER, "41", "1003"), MediaIds.session(SERVER, "41", "1003"));
  }

  @Test
  void replayZeroIsThePlainSessionId() {
    assertEquals(MediaIds.session(SERVER, "41", "1003"), MediaIds.session(SERVER, "41", "1003", 0));
  }

  @Test
  void lengthPrefixesKeepSplitPointsApart() {
    // "4|1" + "003" and "4" + "1|003" would collide if the parts were merely joined with '|'
    assertNotEquals(MediaIds.session(SERVER, "4|1", "003"), MediaIds.session(SERVER, "4", "1|003"));
  }

  @Test
  void theSameExternalIdOnTwoServersGivesTwoUsers() {
    UUID other = MediaIds.server(ServerType.PLEX, "3f2b5c1d9e8a4b7c8d6e5f4a3b2c1d0e");
    assertNotEquals(SERVER, other);
    assertNotEquals(MediaIds.user(SERVER, "1"), MediaIds.user(other, "1"));
  }

  @Test
  void kindsDoNotCollide() {
    assertNotEquals(MediaIds.user(SERVER, "1"), MediaIds.content(SERVER, "1"));
    assertNotEquals(MediaIds.content(SERVER, "1"), MediaIds.device(SERVER, "1"));
  }
}
