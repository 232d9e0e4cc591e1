package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceKeysTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("device id wins", "abc123", "Living Room TV", "Plex for Android", "abc123"),
        Arguments.of("device id is trimmed", "  abc123 ", "TV", "Plex", "abc123"),
        Arguments.of(
            "blank device id falls back to name / client",
            "  ",
            "Living Room TV",
            "Plex Web",
            "Living Room TV / Plex Web"),
        Arguments.of(
            "missing device id falls back to name / client",
            null,
            "iPhone",
            "Infuse",
            "iPhone / Infuse"),
        Arguments.of("missing parts read as unknown", null, null, "Plex Web", "unknown / Plex Web"),
        Arguments.of("nothing at all", null, " ", null, "unknown / unknown"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void of(String why, String deviceId, String deviceName, String clientName, String expected) {
    assertEquals(expected, DeviceKeys.of(deviceId, deviceName, clientName));
  }
}
