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
 * @param endedAt when the session ended, null while it is open
 * @param lastHeartbeatAt its latest heartbeat (the start when none is known)
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
    String userName,
    Instant endedAt,
    Instant lastHeartbeatAt) {

  /** A session with names, no end and no heartbeat after its start. */
  public SessionView(
      UUID id,
      UUID userId,
      String deviceKey,
      String ipAddress,
      String status,
      Instant startedAt,
      Location location,
      String deviceName,
      String userName) {
    this(
        id,
        userId,
        deviceKey,
        ipAddress,
        status,
        startedAt,
        location,
        deviceName,
        userName,
        null,
        null);
  }

  /** A session whose device and user have no names. */
  public SessionView(
      UUID id,
      UUID userId,
      String deviceKey,
      String ipAddress,
      String status,
      Instant startedAt,
      Location location) {
    this(id, userId, deviceKey, ipAddress, status, startedAt, location, null, null, null, null);
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

  /**
   * The last moment the session is known to have been watched: its end, or its latest heartbeat
   * while it is open (its start when neither is known).
   */
  public Instant lastSeen() {
    if (endedAt != null) return endedAt;
    if (lastHeartbeatAt != null && lastHeartbeatAt.isAfter(startedAt)) return lastHeartbeatAt;
    return startedAt;
  }

  /** The same session, ended at {@code ended} (tests build histories with it). */
  public SessionView endingAt(Instant ended) {
    return new SessionView(
        id,
        userId,
        deviceKey,
        ipAddress,
        status,
        startedAt,
        location,
        deviceName,
        userName,
        ended,
        lastHeartbeatAt);
  }

  public boolean located() {
    return location != null;
  }
}
