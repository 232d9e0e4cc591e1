package io.tracearr.analytics.detect.rules;

import static io.tracearr.analytics.detect.rules.Sessions.BERLIN;
import static io.tracearr.analytics.detect.rules.Sessions.MUNICH;
import static io.tracearr.analytics.detect.rules.Sessions.PARIS;
import static io.tracearr.analytics.detect.rules.Sessions.SYRACUSE;
import static io.tracearr.analytics.detect.rules.Sessions.open;
import static io.tracearr.analytics.detect.rules.Sessions.watched;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, "one situation, one alert": the geo and travel rules judged together over one history.
 * Overlapping sessions far apart are geo_impossible only; travel time runs from the earlier
 * session's end (its last heartbeat while open) to the later one's start.
 */
class OverlapAndTravelTest {

  private static final double GEO_KM = 100;
  private static final double AIRLINER_KMH = 1000;

  private static Duration h(double hours) {
    return Duration.ofSeconds(Math.round(hours * 3600));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "Paris and Syracuse streaming together: geo_impossible only",
            List.of(
                open("paris", "tv", h(0), h(1.2), PARIS),
                open("syracuse", "phone", h(70 / 60.0), h(1.2), SYRACUSE)),
            List.of("geo_impossible"),
            null),
        Arguments.of(
            "both ended but they overlapped: neither (geo judges only what streams now)",
            List.of(
                watched("paris", "tv", h(0), h(3), PARIS),
                watched("syracuse", "phone", h(2), h(4), SYRACUSE)),
            List.of(),
            null),
        Arguments.of(
            "a 3 h film, then elsewhere 2 h after it ended: 2 h of travel, not 5",
            List.of(
                watched("paris", "tv", h(0), h(3), PARIS),
                watched("syracuse", "phone", h(5), h(6), SYRACUSE)),
            List.of("impossible_travel"),
            2.0),
        Arguments.of(
            "7 h start to start would be fine (831 km/h); 4 h from the end is not",
            List.of(
                watched("paris", "tv", h(0), h(3), PARIS),
                watched("syracuse", "phone", h(7), h(8), SYRACUSE)),
            List.of("impossible_travel"),
            4.0),
        Arguments.of(
            "still open: measured from its last heartbeat",
            List.of(
                open("paris", "tv", h(0), h(1), PARIS),
                watched("syracuse", "phone", h(1.5), h(1.75), SYRACUSE)),
            List.of("impossible_travel"),
            0.5),
        Arguments.of(
            "Berlin to Munich, 6 min after the film ended: travel (the end, not the start, counts)",
            List.of(
                watched("berlin", "tv", h(0), h(2), BERLIN),
                watched("munich", "phone", h(2.1), h(3), MUNICH)),
            List.of("impossible_travel"),
            0.1),
        Arguments.of(
            "Berlin then Munich 2 h after the end (~247 km/h): nothing",
            List.of(
                watched("berlin", "tv", h(0), h(2), BERLIN),
                watched("munich", "phone", h(4), h(5), MUNICH)),
            List.of(),
            null),
        Arguments.of(
            "back to back: a gap under a minute counts as one minute",
            List.of(
                watched("berlin", "tv", h(0), h(1), BERLIN),
                watched("munich", "phone", h(1).plusSeconds(20), h(2), MUNICH)),
            List.of("impossible_travel"),
            1 / 60.0),
        Arguments.of(
            "more than 24 h between one's end and the other's start: not compared",
            List.of(
                watched("paris", "tv", h(0), h(3), PARIS),
                watched("syracuse", "phone", h(27.1), h(28), SYRACUSE)),
            List.of(),
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oneAlertPerSituation(
      String why, List<SessionView> sessions, List<String> expectedTypes, Double travelHours) {
    List<Finding> findings = new ArrayList<>();
    new GeoImpossibleRule(GEO_KM).evaluate(sessions).ifPresent(findings::add);
    new ImpossibleTravelRule(AIRLINER_KMH).evaluate(sessions).ifPresent(findings::add);
    assertEquals(expectedTypes, findings.stream().map(Finding::alertType).toList());
    Double hours =
        findings.stream()
            .filter(f -> f.alertType().equals(ImpossibleTravelRule.ALERT_TYPE))
            .map(f -> f.evidence().getDouble("hours"))
            .findFirst()
            .orElse(null);
    if (travelHours == null) assertEquals(null, hours);
    else assertEquals(travelHours, hours, 0.001);
  }
}
