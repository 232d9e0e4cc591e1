package io.tracearr.analytics.detect.rules;

import static io.tracearr.analytics.detect.rules.Sessions.BERLIN;
import static io.tracearr.analytics.detect.rules.Sessions.DENVER;
import static io.tracearr.analytics.detect.rules.Sessions.FR_CENTROID;
import static io.tracearr.analytics.detect.rules.Sessions.LONDON;
import static io.tracearr.analytics.detect.rules.Sessions.LYON;
import static io.tracearr.analytics.detect.rules.Sessions.MUNICH;
import static io.tracearr.analytics.detect.rules.Sessions.NEW_YORK;
import static io.tracearr.analytics.detect.rules.Sessions.PARIS;
import static io.tracearr.analytics.detect.rules.Sessions.SYDNEY;
import static io.tracearr.analytics.detect.rules.Sessions.SYRACUSE;
import static io.tracearr.analytics.detect.rules.Sessions.USER_NAME;
import static io.tracearr.analytics.detect.rules.Sessions.US_CENTROID;
import static io.tracearr.analytics.detect.rules.Sessions.id;
import static io.tracearr.analytics.detect.rules.Sessions.playing;
import static io.tracearr.analytics.detect.rules.Sessions.session;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.geo.GeoLocator;
import io.tracearr.analytics.geo.NetworkPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GeoImpossibleRuleTest {

  private static final Duration LATER = Duration.ofMinutes(10);

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "Paris and Syracuse on two devices alert",
            1000.0,
            List.of(
                playing("paris", "tv", Duration.ZERO, PARIS, "90.80.10.7"),
                playing("syracuse", "phone", LATER, SYRACUSE, "24.24.24.24")),
            Optional.of(5818.5)),
        Arguments.of(
            "same device switching IP (VPN) does not alert",
            1000.0,
            List.of(
                playing("home", "tv", Duration.ZERO, PARIS, "90.80.10.7"),
                playing("vpn", "tv", LATER, SYRACUSE, "24.24.24.24")),
            Optional.empty()),
        Arguments.of(
            "Berlin and Munich stay under 1000 km",
            1000.0,
            List.of(
                playing("berlin", "tv", Duration.ZERO, BERLIN, "85.214.132.117"),
                playing("munich", "phone", LATER, MUNICH, "89.204.130.1")),
            Optional.empty()),
        Arguments.of(
            "Berlin and Munich alert over a 300 km threshold",
            300.0,
            List.of(
                playing("berlin", "tv", Duration.ZERO, BERLIN, "85.214.132.117"),
                playing("munich", "phone", LATER, MUNICH, "89.204.130.1")),
            Optional.of(494.4)),
        Arguments.of(
            "US centroid (1000 km radius) near precise Syracuse does not alert",
            1000.0,
            List.of(
                playing("centroid", "tv", Duration.ZERO, US_CENTROID, "12.34.56.78"),
                playing("syracuse", "phone", LATER, SYRACUSE, "24.24.24.24")),
            Optional.empty()),
        Arguments.of(
            "US centroid near precise Denver does not alert even at 500 km",
            500.0,
            List.of(
                playing("centroid", "tv", Duration.ZERO, US_CENTROID, "12.34.56.78"),
                playing("denver", "phone", LATER, DENVER, "198.51.100.1")),
            Optional.empty()),
        Arguments.of(
            "FR centroid near Paris does not alert",
            100.0,
            List.of(
                playing("centroid", "tv", Duration.ZERO, FR_CENTROID, "62.147.0.1"),
                playing("paris", "phone", LATER, PARIS, "90.80.10.7")),
            Optional.empty()),
        Arguments.of(
            "a stopped session is not concurrent",
            1000.0,
            List.of(
                session("paris", "tv", "stopped", Duration.ZERO, PARIS, "90.80.10.7"),
                playing("syracuse", "phone", LATER, SYRACUSE, "24.24.24.24")),
            Optional.empty()),
        Arguments.of(
            "unlocated sessions are ignored",
            1000.0,
            List.of(
                playing("lan", "tv", Duration.ZERO, null, "192.168.1.10"),
                playing("syracuse", "phone", LATER, SYRACUSE, "24.24.24.24")),
            Optional.empty()),
        Arguments.of(
            "the farthest pair wins: Lyon to New York",
            1000.0,
            List.of(
                playing("paris", "tv", Duration.ZERO, PARIS, "90.80.10.7"),
                playing("lyon", "tablet", LATER, LYON, "176.161.10.1"),
                playing("london", "phone", LATER, LONDON, "81.2.69.10"),
                playing("new-york", "laptop", LATER, NEW_YORK, "72.229.28.185")),
            Optional.of(6131.1)),
        Arguments.of(
            "the farthest pair on one device is skipped for the farthest on two",
            1000.0,
            List.of(
                playing("paris", "tv", Duration.ZERO, PARIS, "90.80.10.7"),
                playing("sydney-vpn", "tv", LATER, SYDNEY, "203.2.218.214"),
                playing("syracuse", "phone", LATER, SYRACUSE, "24.24.24.24")),
            Optional.of(15815.6)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluate(
      String why, double thresholdKm, List<SessionView> sessions, Optional<Double> distanceKm) {
    Optional<Finding> finding = new GeoImpossibleRule(thresholdKm).evaluate(sessions);
    assertEquals(distanceKm, finding.map(f -> f.evidence().getDouble("distance_km")));
  }

  @Test
  void parisSyracuseEvidenceIsComplete() {
    SessionView paris = playing("paris", "tv", Duration.ZERO, PARIS, "90.80.10.7");
    SessionView syracuse = playing("syracuse", "phone", LATER, SYRACUSE, "24.24.24.24");

    Finding finding = new GeoImpossibleRule(1000).evaluate(List.of(syracuse, paris)).orElseThrow();

    assertEquals(GeoImpossibleRule.ALERT_TYPE, finding.alertType());
    assertEquals(Finding.HIGH, finding.severity());
    assertEquals(
        new JsonObject()
            .put("distance_km", 5818.5)
            .put("raw_distance_km", 5828.5)
            .put("threshold_km", 1000.0)
            .put("user_name", USER_NAME)
            .put(
                "session_ids",
                new JsonArray().add(id("paris").toString()).add(id("syracuse").toString()))
            .put("device_keys", new JsonArray().add("tv").add("phone"))
            .put("device_names", new JsonArray().add("Walter's tv").add("Walter's phone"))
            .put("locations", new JsonArray().add(PARIS.toJson()).add(SYRACUSE.toJson()))
            .put("ip_addresses", new JsonArray().add("90.80.10.7").add("24.24.24.24")),
        finding.evidence());
    assertEquals(Set.of(id("paris"), id("syracuse")), finding.sessionIds());
    assertEquals(Set.of("tv", "phone"), finding.deviceKeys());
  }

  @Test
  void underTwoThousandKilometresIsMediumSeverity() {
    Finding finding =
        new GeoImpossibleRule(300)
            .evaluate(
                List.of(
                    playing("berlin", "tv", Duration.ZERO, BERLIN, "85.214.132.117"),
                    playing("munich", "phone", LATER, MUNICH, "89.204.130.1")))
            .orElseThrow();
    assertEquals(Finding.MEDIUM, finding.severity());
  }

  @Test
  void locationsFromTheGeoIpFixtureGiveTheSameAlert() throws Exception {
    Path fixture = Path.of(getClass().getResource("/geoip/GeoIP2-City-Test.mmdb").toURI());
    try (GeoLocator locator = GeoLocator.open(fixture, NetworkPolicy.defaults(), 10)) {
      SessionView paris =
          playing(
              "paris",
              "tv",
              Duration.ZERO,
              locator.locate("90.80.10.7").orElseThrow(),
              "90.80.10.7");
      SessionView syracuse =
          playing(
              "syracuse",
              "phone",
              LATER,
              locator.locate("24.24.24.24").orElseThrow(),
              "24.24.24.24");

      Finding finding =
          new GeoImpossibleRule(1000).evaluate(List.of(paris, syracuse)).orElseThrow();

      assertEquals(5818.5, finding.evidence().getDouble("distance_km"));
    }
  }
}
