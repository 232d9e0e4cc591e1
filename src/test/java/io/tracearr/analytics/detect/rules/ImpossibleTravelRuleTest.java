package io.tracearr.analytics.detect.rules;

import static io.tracearr.analytics.detect.rules.Sessions.BERLIN;
import static io.tracearr.analytics.detect.rules.Sessions.MUNICH;
import static io.tracearr.analytics.detect.rules.Sessions.PARIS;
import static io.tracearr.analytics.detect.rules.Sessions.SYRACUSE;
import static io.tracearr.analytics.detect.rules.Sessions.USER_NAME;
import static io.tracearr.analytics.detect.rules.Sessions.US_CENTROID;
import static io.tracearr.analytics.detect.rules.Sessions.id;
import static io.tracearr.analytics.detect.rules.Sessions.playing;
import static io.tracearr.analytics.detect.rules.Sessions.session;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.geo.Location;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImpossibleTravelRuleTest {

  private static final double AIRLINER_KMH = 1000;

  private static SessionView ended(String name, String device, Duration sinceT0, Location where) {
    return session(name, device, "stopped", sinceT0, where, "ip-" + name);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "Berlin to Munich in 6 minutes (~4 944 km/h) alerts",
            List.of(
                ended("berlin", "tv", Duration.ZERO, BERLIN),
                ended("munich", "phone", Duration.ofMinutes(6), MUNICH)),
            Optional.of(4944.2)),
        Arguments.of(
            "Paris to Syracuse in 70 minutes (~4 987 km/h) alerts",
            List.of(
                ended("paris", "tv", Duration.ZERO, PARIS),
                playing("syracuse", "phone", Duration.ofMinutes(70), SYRACUSE, "24.24.24.24")),
            Optional.of(4987.3)),
        Arguments.of(
            "Berlin to Munich in 99 minutes (~300 km/h) does not alert",
            List.of(
                ended("berlin", "tv", Duration.ZERO, BERLIN),
                ended("munich", "phone", Duration.ofMinutes(99), MUNICH)),
            Optional.empty()),
        Arguments.of(
            "Paris to Syracuse a day and a minute apart is not compared",
            List.of(
                ended("paris", "tv", Duration.ZERO, PARIS),
                ended("syracuse", "phone", Duration.ofHours(24).plusMinutes(1), SYRACUSE)),
            Optional.empty()),
        Arguments.of(
            "same device changing location (VPN) does not alert",
            List.of(
                ended("paris", "tv", Duration.ZERO, PARIS),
                ended("syracuse", "tv", Duration.ofMinutes(10), SYRACUSE)),
            Optional.empty()),
        Arguments.of(
            "simultaneous starts count as one minute apart",
            List.of(
                ended("berlin", "tv", Duration.ZERO, BERLIN),
                ended("munich", "phone", Duration.ofSeconds(5), MUNICH)),
            Optional.of(29664.9)),
        Arguments.of(
            "only adjacent sessions are compared",
            List.of(
                ended("paris", "tv", Duration.ZERO, PARIS),
                ended("syracuse-vpn", "tv", Duration.ofHours(1), SYRACUSE),
                ended("syracuse-phone", "phone", Duration.ofHours(2), SYRACUSE)),
            Optional.empty()),
        Arguments.of(
            "unlocated sessions are skipped when finding neighbours",
            List.of(
                ended("berlin", "tv", Duration.ZERO, BERLIN),
                ended("lan", "laptop", Duration.ofMinutes(3), null),
                ended("munich", "phone", Duration.ofMinutes(6), MUNICH)),
            Optional.of(4944.2)),
        Arguments.of(
            "the fastest adjacent pair wins",
            List.of(
                ended("berlin", "tv", Duration.ZERO, BERLIN),
                ended("munich", "phone", Duration.ofMinutes(12), MUNICH),
                ended("paris", "laptop", Duration.ofMinutes(72), PARIS)),
            Optional.of(2472.1)),
        Arguments.of(
            "a centroid's radius absorbs the distance",
            List.of(
                ended("centroid", "tv", Duration.ZERO, US_CENTROID),
                ended("syracuse", "phone", Duration.ofMinutes(30), SYRACUSE)),
            Optional.of(1777.7)),
        Arguments.of(
            "input order does not matter",
            List.of(
                ended("munich", "phone", Duration.ofMinutes(6), MUNICH),
                ended("berlin", "tv", Duration.ZERO, BERLIN)),
            Optional.of(4944.2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluate(String why, List<SessionView> sessions, Optional<Double> speedKmh) {
    Optional<Finding> finding = new ImpossibleTravelRule(AIRLINER_KMH).evaluate(sessions);
    assertEquals(speedKmh, finding.map(f -> f.evidence().getDouble("speed_kmh")));
  }

  @Test
  void berlinMunichEvidenceIsComplete() {
    Finding finding =
        new ImpossibleTravelRule(AIRLINER_KMH)
            .evaluate(
                List.of(
                    ended("berlin", "tv", Duration.ZERO, BERLIN),
                    ended("munich", "phone", Duration.ofMinutes(6), MUNICH)))
            .orElseThrow();

    assertEquals(ImpossibleTravelRule.ALERT_TYPE, finding.alertType());
    assertEquals(Finding.HIGH, finding.severity());
    assertEquals(
        new JsonObject()
            .put("speed_kmh", 4944.2)
            .put("distance_km", 494.4)
            .put("hours", 0.1)
            .put("threshold_kmh", 1000.0)
            .put("left_at", Sessions.T0.toString())
            .put("arrived_at", Sessions.T0.plus(Duration.ofMinutes(6)).toString())
            .put("user_name", USER_NAME)
            .put(
                "session_ids",
                new JsonArray().add(id("berlin").toString()).add(id("munich").toString()))
            .put("device_keys", new JsonArray().add("tv").add("phone"))
            .put("device_names", new JsonArray().add("Walter's tv").add("Walter's phone"))
            .put("locations", new JsonArray().add(BERLIN.toJson()).add(MUNICH.toJson()))
            .put("ip_addresses", new JsonArray().add("ip-berlin").add("ip-munich")),
        finding.evidence());
  }

  @Test
  void upToTwiceTheThresholdIsMediumSeverity() {
    Finding finding =
        new ImpossibleTravelRule(3000)
            .evaluate(
                List.of(
                    ended("berlin", "tv", Duration.ZERO, BERLIN),
                    ended("munich", "phone", Duration.ofMinutes(6), MUNICH)))
            .orElseThrow();
    assertEquals(Finding.MEDIUM, finding.severity());
  }
}
