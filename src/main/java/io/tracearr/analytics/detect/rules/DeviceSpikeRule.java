package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Many never-seen-before devices on one account in a short window: credentials being handed out.
 */
public final class DeviceSpikeRule {

  public static final String ALERT_TYPE = "device_spike";

  private final int threshold;
  private final Duration window;

  /**
   * @param threshold how many new devices within {@code window} are still fine
   */
  public DeviceSpikeRule(int threshold, Duration window) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1: " + threshold);
    }
    if (window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    this.threshold = threshold;
    this.window = window;
  }

  /**
   * @param devices the user's devices; a key listed twice counts once, at its earliest sighting
   */
  public Optional<Finding> evaluate(List<DeviceSeen> devices, Instant now) {
    Instant windowStart = now.minus(window);
    Map<String, DeviceSeen> firstSeen =
        devices.stream()
            .collect(
                Collectors.toMap(
                    DeviceSeen::deviceKey,
                    d -> d,
                    (a, b) -> a.firstSeenAt().isBefore(b.firstSeenAt()) ? a : b));
    List<DeviceSeen> fresh =
        firstSeen.values().stream()
            .filter(d -> d.firstSeenAt().isAfter(windowStart) && !d.firstSeenAt().isAfter(now))
            .sorted(
                Comparator.comparing(DeviceSeen::firstSeenAt).thenComparing(DeviceSeen::deviceKey))
            .toList();
    int count = fresh.size();
    if (count <= threshold) {
      return Optional.empty();
    }
    JsonArray newDevices = new JsonArray();
    fresh.forEach(
        d ->
            newDevices.add(
                new JsonObject()
                    .put("device_key", d.deviceKey())
                    .put("device_name", d.deviceName())
                    .put("first_seen_at", d.firstSeenAt().toString())));
    String userName =
        devices.stream().map(DeviceSeen::userName).filter(n -> n != null).findFirst().orElse(null);
    JsonObject evidence =
        new JsonObject()
            .put("user_name", userName)
            .put("new_devices", newDevices)
            .put("count", count)
            .put("threshold", threshold)
            .put("window_hours", windowHours());
    Set<String> deviceKeys = fresh.stream().map(DeviceSeen::deviceKey).collect(Collectors.toSet());
    String severity = count >= 2 * threshold ? Finding.HIGH : Finding.MEDIUM;
    return Optional.of(new Finding(ALERT_TYPE, severity, evidence, Set.of(), deviceKeys));
  }

  /** Whole hours as an integer (24, not 24.0) so the evidence reads naturally. */
  private Number windowHours() {
    long wholeHours = window.toHours();
    return window.equals(Duration.ofHours(wholeHours))
        ? (Number) wholeHours
        : (Number) (window.toMillis() / 3_600_000.0);
  }
}
