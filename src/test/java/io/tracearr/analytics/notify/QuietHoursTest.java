package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuietHoursTest {

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  static QuietHours q(String start, String end, boolean allowHigh) {
    return new QuietHours(PARIS, LocalTime.parse(start), LocalTime.parse(end), allowHigh);
  }

  /** Times are UTC instants; Paris is UTC+1 in January, UTC+2 in July. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "overnight window, late evening is quiet",
            q("22:00", "07:00", false),
            "2026-01-15T22:30:00Z",
            null,
            "2026-01-16T06:00:00Z"),
        Arguments.of(
            "overnight window, early morning is quiet, ends the same day",
            q("22:00", "07:00", false),
            "2026-01-16T05:59:00Z",
            null,
            "2026-01-16T06:00:00Z"),
        Arguments.of(
            "overnight window, start is inclusive",
            q("22:00", "07:00", false),
            "2026-01-15T21:00:00Z",
            null,
            "2026-01-16T06:00:00Z"),
        Arguments.of(
            "overnight window, end is exclusive",
            q("22:00", "07:00", false),
            "2026-01-16T06:00:00Z",
            null,
            null),
        Arguments.of(
            "overnight window, afternoon is not quiet",
            q("22:00", "07:00", false),
            "2026-01-15T13:00:00Z",
            null,
            null),
        Arguments.of(
            "day window (not spanning midnight)",
            q("12:00", "14:00", false),
            "2026-01-15T11:30:00Z",
            null,
            "2026-01-15T13:00:00Z"),
        Arguments.of(
            "day window, before it",
            q("12:00", "14:00", false),
            "2026-01-15T10:59:00Z",
            null,
            null),
        Arguments.of(
            "in the zone's summer time, not UTC",
            q("22:00", "07:00", false),
            "2026-07-15T20:30:00Z",
            null,
            "2026-07-16T05:00:00Z"),
        Arguments.of(
            "high alerts break through when allowed",
            q("22:00", "07:00", true),
            "2026-01-15T22:30:00Z",
            Severity.HIGH,
            null),
        Arguments.of(
            "medium alerts wait even when high may break through",
            q("22:00", "07:00", true),
            "2026-01-15T22:30:00Z",
            Severity.MEDIUM,
            "2026-01-16T06:00:00Z"),
        Arguments.of(
            "high alerts wait when not allowed",
            q("22:00", "07:00", false),
            "2026-01-15T22:30:00Z",
            Severity.HIGH,
            "2026-01-16T06:00:00Z"),
        // 2026-03-29: Paris springs forward at 02:00 local; a window ending 02:30 ends at 03:30
        // CEST = 01:30Z
        Arguments.of(
            "end inside the DST gap moves forward",
            q("01:00", "02:30", false),
            "2026-03-29T00:10:00Z",
            null,
            "2026-03-29T01:30:00Z"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void holdsUntilTheWindowEnds(
      String name, QuietHours quiet, String at, Severity severity, String expectedEnd) {
    Optional<Instant> hold = quiet.holdUntil(Instant.parse(at), severity);
    assertEquals(Optional.ofNullable(expectedEnd).map(Instant::parse), hold);
  }
}
