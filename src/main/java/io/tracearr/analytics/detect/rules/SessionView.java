package io.tracearr.analytics.detect.rules;

import io.tracearr.analytics.geo.Location;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What the rules need to know about one playback session.
 *
 * @param deviceKey see {@link DeviceKeys#of}
 * @param location {@code null} when the IP address could not (or must not) be located
 * @param deviceName the device's name as the session reported it (evidence names devices by it)
 * @param userName the user's latest known name, null when never given
 */
public record SessionView(
    UUID id,
    UUID userId,
    String deviceKey,
    String ipAddress,
    String status,
    Instant startedAt,
    Location location,
    String deviceName,
    String userName) {

  /** A session whose device and user have no names. */
  public SessionView(
      UUID id,
      UUID userId,
      String deviceKey,
      String ipAddress,
      String status,
      Instant startedAt,
      Location location) {
    this(id, userId, deviceKey, ipAddress, status, startedAt, location, null, null);
  }

  private static final Set<String> ACTIVE_STATUSES = Set.of("playing", "paused", "buffering");

  public SessionView {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(deviceKey, "deviceKey");
    Objects.requireNonNull(startedAt, "startedAt");
  }

  public boolean active() {
    return status != null && ACTIVE_STATUSES.contains(status.toLowerCase(Locale.ROOT));
  }

  public boolean located() {
    return location != null;
  }
}
