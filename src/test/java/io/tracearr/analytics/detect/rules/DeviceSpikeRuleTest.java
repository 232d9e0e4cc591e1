package io.tracearr.analytics.detect.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceSpikeRuleTest {

  private static final Instant NOW = Instant.parse("2025-06-02T12:00:00Z");
  private static final DeviceSpikeRule RULE = new DeviceSpikeRule(5, Duration.ofHours(24));

  /**
   * {@code count} devices first seen {@code hoursAgo}, {@code hoursAgo + 1}, … hours before now.
   */
  private static List<DeviceSeen> devices(String prefix, int count, double hoursAgo) {
    return IntStream.range(0, count)
        .mapToObj(
            i ->
                new DeviceSeen(
                    prefix + i,
                    NOW.minusSeconds((long) ((hoursAgo + i) * 3600)),
                    "Kitchen " + prefix + i,
                    "Jesse Pinkman"))
        .toList();
  }

  @SafeVarargs
  private static List<DeviceSeen> all(List<DeviceSeen>... groups) {
    List<DeviceSeen> result = new ArrayList<>();
    for (List<DeviceSeen> group : groups) {
      result.addAll(group);
    }
    return result;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "6 new devices in 24 h spike", devices("new", 6, 1), Optional.of(Finding.MEDIUM)),
        Arguments.of("5 new devices in 24 h do not spike", devices("new", 5, 1), Optional.empty()),
        Arguments.of(
            "old devices do not count",
            all(devices("new", 5, 1), devices("old", 10, 25)),
            Optional.empty()),
        Arguments.of(
            "10 new devices at threshold 5 is high severity",
            devices("new", 10, 0),
            Optional.of(Finding.HIGH)),
        Arguments.of(
            "a device first seen exactly 24 h ago is not new",
            all(
                devices("new", 5, 1),
                List.of(new DeviceSeen("edge", NOW.minus(Duration.ofHours(24))))),
            Optional.empty()),
        Arguments.of(
            "a device first seen right now is new",
            all(devices("new", 5, 1), List.of(new DeviceSeen("edge", NOW))),
            Optional.of(Finding.MEDIUM)),
        Arguments.of(
            "a device first seen in the future is not counted",
            all(devices("new", 5, 1), List.of(new DeviceSeen("clock-skew", NOW.plusSeconds(60)))),
            Optional.empty()),
        Arguments.of(
            "a device listed twice counts once at its earliest sighting",
            all(
                devices("new", 5, 1),
                List.of(new DeviceSeen("new0", NOW.minus(Duration.ofDays(30))))),
            Optional.empty()),
        Arguments.of("no devices, no spike", List.of(), Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluate(String why, List<DeviceSeen> devices, Optional<String> severity) {
    assertEquals(severity, RULE.evaluate(devices, NOW).map(Finding::severity));
  }

  @Test
  void evidenceListsNewDevicesOldestFirst() {
    List<DeviceSeen> devices = all(devices("new", 6, 1), devices("old", 2, 30));

    Finding finding = RULE.evaluate(devices, NOW).orElseThrow();

    JsonArray expected = new JsonArray();
    for (int i = 5; i >= 0; i--) {
      expected.add(
          new JsonObject()
              .put("device_key", "new" + i)
              .put("device_name", "Kitchen new" + i)
              .put("first_seen_at", NOW.minus(Duration.ofHours(1 + i)).toString()));
    }
    assertEquals(
        new JsonObject()
            .put("user_name", "Jesse Pinkman")
            .put("new_devices", expected)
            .put("count", 6)
            .put("threshold", 5)
            .put("window_hours", 24L),
        finding.evidence());
    assertEquals("2025-06-02T06:00:00Z", expected.getJsonObject(0).getString("first_seen_at"));
    assertEquals(DeviceSpikeRule.ALERT_TYPE, finding.alertType());
    assertEquals(Set.of("new0", "new1", "new2", "new3", "new4", "new5"), finding.deviceKeys());
    assertEquals(Set.of(), finding.sessionIds());
  }

  @Test
  void rejectsNonPositiveWindowAndThreshold() {
    assertThrows(IllegalArgumentException.class, () -> new DeviceSpikeRule(5, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> new DeviceSpikeRule(0, Duration.ofHours(24)));
  }
}
