package io.tracearr.analytics.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GeoMathTest {

  static final Location PARIS = new Location("Paris", "FR", 48.8566, 2.3522, 5);
  static final Location SYRACUSE = new Location("Syracuse", "US", 43.0481, -76.1474, 5);
  static final Location BERLIN = new Location("Berlin", "DE", 52.52, 13.405, 5);
  static final Location MUNICH = new Location("Munich", "DE", 48.1351, 11.582, 5);
  static final Location US_CENTROID = new Location(null, "US", 39.76, -98.5, 1000);
  static final Location NEW_YORK = new Location("New York", "US", 40.7128, -74.0060, 5);

  static Stream<Arguments> distances() {
    return Stream.of(
        Arguments.of("Paris to Syracuse", PARIS, SYRACUSE, 5828.0, 5818.0),
        Arguments.of("Berlin to Munich", BERLIN, MUNICH, 504.0, 494.0),
        Arguments.of("same point", PARIS, PARIS, 0.0, 0.0),
        Arguments.of(
            "radii larger than the distance clamp to zero",
            BERLIN,
            new Location(null, "DE", 51.0, 10.0, 500),
            288.9,
            0.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distances")
  void distance(String why, Location a, Location b, double rawKm, double effectiveKm) {
    assertEquals(rawKm, GeoMath.haversineKm(a, b), 1.0);
    assertEquals(rawKm, GeoMath.haversineKm(b, a), 1.0);
    assertEquals(effectiveKm, GeoMath.effectiveDistanceKm(a, b), 1.0);
  }

  @Test
  void countryCentroidShrinksAnyDistanceByItsRadius() {
    double raw = GeoMath.haversineKm(US_CENTROID, NEW_YORK);
    assertEquals(raw - 1005, GeoMath.effectiveDistanceKm(US_CENTROID, NEW_YORK), 1e-9);
  }

  @Test
  void locationJsonRoundTrip() {
    JsonObject json = PARIS.toJson();
    assertEquals(
        new JsonObject(
            "{\"city\":\"Paris\",\"country\":\"FR\",\"latitude\":48.8566,"
                + "\"longitude\":2.3522,\"accuracy_km\":5}"),
        json);
    assertEquals(PARIS, Location.fromJson(json));
    assertEquals(US_CENTROID, Location.fromJson(US_CENTROID.toJson()));
    assertNull(US_CENTROID.toJson().getString("city"));
    assertNull(Location.fromJson(null));
  }
}
