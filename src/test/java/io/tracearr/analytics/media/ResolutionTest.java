package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResolutionTest {

  static Stream<Arguments> sizes() {
    return Stream.of(
        Arguments.of("UHD 3840x2160 is 2160p", 3840, 2160, "2160p"),
        Arguments.of("scope UHD 3840x1600 is 2160p by its width", 3840, 1600, "2160p"),
        Arguments.of("1920x1080 is 1080p", 1920, 1080, "1080p"),
        Arguments.of(
            "scope 1920x800 is 1080p by its width, not 720p by its height", 1920, 800, "1080p"),
        Arguments.of("1280x720 is 720p", 1280, 720, "720p"),
        Arguments.of("DVD 720x576 is 480p", 720, 576, "480p"),
        Arguments.of("640x360 is sd", 640, 360, "sd"),
        Arguments.of("height alone: 1080 is 1080p", null, 1080, "1080p"),
        Arguments.of("width alone: 1280 is 720p", 1280, null, "720p"),
        Arguments.of("nothing known is null", null, null, null),
        Arguments.of("zeros are unknown", 0, 0, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sizes")
  void bySize(String name, Integer width, Integer height, String expected) {
    assertEquals(expected, Resolution.of(width, height));
  }

  static Stream<Arguments> plexLabels() {
    return Stream.of(
        Arguments.of("4k is 2160p", "4k", "2160p"),
        Arguments.of("1080 is 1080p", "1080", "1080p"),
        Arguments.of("720 is 720p", "720", "720p"),
        Arguments.of("480 is 480p", "480", "480p"),
        Arguments.of("sd is sd", "sd", "sd"),
        Arguments.of("1080p with its suffix is 1080p", "1080p", "1080p"),
        Arguments.of("576 (PAL) is sd", "576", "sd"),
        Arguments.of("an unknown label is null, so the size decides", "weird", null),
        Arguments.of("no label is null", null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plexLabels")
  void byPlexLabel(String name, String label, String expected) {
    assertEquals(expected, Resolution.ofPlexLabel(label));
  }
}
