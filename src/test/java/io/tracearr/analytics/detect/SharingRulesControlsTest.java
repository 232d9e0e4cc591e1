package io.tracearr.analytics.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.detect.rules.DeviceSeen;
import io.tracearr.analytics.detect.rules.Finding;
import io.tracearr.analytics.detect.rules.SessionView;
import io.tracearr.analytics.geo.Location;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SharingRules#judge} with a user's controls, as a table: exemptions (and their end),
 * per-user thresholds in both directions, trusted devices left out of geo, travel and new-device
 * judgements but counted as streams.
 */
class SharingRulesControlsTest {

  static final Instant NOW = Instant.parse("2026-06-01T20:00:00Z");
  static final UUID USER = UUID.nameUUIDFromBytes("u".getBytes());
  static final Location PARIS = new Location("Paris", "FR", 48.8566, 2.3522, 5);
  static final Location SYRACUSE = new Location("Syracuse", "US", 43.0481, -76.1474, 5);

  static final SharingRules RULES =
      new SharingRules(
          new AppConfig.SharingDetection(
              true, 3, 500, 5, 900, 60, List.of(), new AppConfig.Rules(true, true, true, true)),
          true);

  static SessionView playing(String device, Location where) {
    return new SessionView(
        UUID.nameUUIDFromBytes(device.getBytes()), USER, device, null, "playing", NOW, where);
  }

  static List<DeviceSeen> newDevices(int n) {
    List<DeviceSeen> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new DeviceSeen("d" + i, NOW.minus(Duration.ofHours(1))));
    return out;
  }

  static UserControls controls(
      Set<String> exempt, Instant until, Map<String, Number> thresholds, Set<String> trusted) {
    return new UserControls(exempt, until, thresholds, trusted);
  }

  static final List<SessionView> PARIS_AND_SYRACUSE =
      List.of(playing("tv", PARIS), playing("laptop", SYRACUSE));
  static final List<SessionView> FOUR_DEVICES =
      List.of(playing("a", null), playing("b", null), playing("c", null), playing("d", null));

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "no controls: geo",
            PARIS_AND_SYRACUSE,
            List.of(),
            UserControls.NONE,
            List.of("geo_impossible")),
        Arguments.of(
            "exempt from geo",
            PARIS_AND_SYRACUSE,
            List.of(),
            controls(Set.of("geo_impossible"), null, Map.of(), Set.of()),
            List.of()),
        Arguments.of(
            "exempt until a time still ahead",
            PARIS_AND_SYRACUSE,
            List.of(),
            controls(Set.of("geo_impossible"), NOW.plusSeconds(60), Map.of(), Set.of()),
            List.of()),
        Arguments.of(
            "exemption ended",
            PARIS_AND_SYRACUSE,
            List.of(),
            controls(Set.of("geo_impossible"), NOW, Map.of(), Set.of()),
            List.of("geo_impossible")),
        Arguments.of(
            "geo threshold above the distance",
            PARIS_AND_SYRACUSE,
            List.of(),
            controls(Set.of(), null, Map.of("geo_impossible", 6000.0), Set.of()),
            List.of()),
        Arguments.of(
            "one side trusted: no geo pair",
            PARIS_AND_SYRACUSE,
            List.of(),
            controls(Set.of(), null, Map.of(), Set.of("laptop")),
            List.of()),
        Arguments.of(
            "4 devices > 3",
            FOUR_DEVICES,
            List.of(),
            UserControls.NONE,
            List.of("concurrent_streams")),
        Arguments.of(
            "4 devices, own limit 5",
            FOUR_DEVICES,
            List.of(),
            controls(Set.of(), null, Map.of("concurrent_streams", 5), Set.of()),
            List.of()),
        Arguments.of(
            "trusted devices still count as streams",
            FOUR_DEVICES,
            List.of(),
            controls(Set.of(), null, Map.of(), Set.of("a", "b")),
            List.of("concurrent_streams")),
        Arguments.of(
            "2 streams, own limit 1",
            List.of(playing("a", null), playing("b", null)),
            List.of(),
            controls(Set.of(), null, Map.of("concurrent_streams", 1), Set.of()),
            List.of("concurrent_streams")),
        Arguments.of(
            "6 new devices > 5",
            List.of(),
            newDevices(6),
            UserControls.NONE,
            List.of("device_spike")),
        Arguments.of(
            "6 new devices, 1 trusted",
            List.of(),
            newDevices(6),
            controls(Set.of(), null, Map.of(), Set.of("d0")),
            List.of()),
        Arguments.of(
            "3 new devices, own limit 2",
            List.of(),
            newDevices(3),
            controls(Set.of(), null, Map.of("device_spike", 2), Set.of()),
            List.of("device_spike")),
        Arguments.of(
            "exempt from device_spike",
            List.of(),
            newDevices(9),
            controls(Set.of("device_spike"), null, Map.of(), Set.of()),
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void judgesWithTheUsersControls(
      String why,
      List<SessionView> sessions,
      List<DeviceSeen> devices,
      UserControls user,
      List<String> expected) {
    List<Finding> findings =
        RULES.judge(new ActivityRepository.UserActivity(sessions, devices), NOW, user);
    assertEquals(expected, findings.stream().map(Finding::alertType).toList());
  }
}
