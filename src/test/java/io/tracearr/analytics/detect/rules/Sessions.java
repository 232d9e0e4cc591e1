package io.tracearr.analytics.detect.rules;

import io.tracearr.analytics.geo.Location;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Test data: one user's sessions, named so failures read well. */
final class Sessions {

  static final UUID USER = id("user-1");

  /** The name the evidence must carry (issue 13: alerts name people and devices). */
  static final String USER_NAME = "Walter White";

  static final Instant T0 = Instant.parse("2025-06-01T20:00:00Z");

  static final Location PARIS = new Location("Paris", "FR", 48.8566, 2.3522, 5);
  static final Location SYRACUSE = new Location("Syracuse", "US", 43.0481, -76.1474, 5);
  static final Location LONDON = new Location("London", "GB", 51.5074, -0.1278, 5);
  static final Location NEW_YORK = new Location("New York", "US", 40.7128, -74.0060, 5);
  static final Location BERLIN = new Location("Berlin", "DE", 52.52, 13.405, 5);
  static final Location MUNICH = new Location("Munich", "DE", 48.1351, 11.582, 5);
  static final Location SYDNEY = new Location("Sydney", "AU", -33.8688, 151.2093, 5);
  static final Location LYON = new Location("Lyon", "FR", 45.764, 4.8357, 10);
  static final Location US_CENTROID = new Location(null, "US", 39.76, -98.5, 1000);
  static final Location FR_CENTROID = new Location(null, "FR", 46.0, 2.0, 500);

  /** Not in the GeoIP fixture: a precise location ~555 km from the US centroid. */
  static final Location DENVER = new Location("Denver", "US", 39.7392, -104.9903, 5);

  private Sessions() {}

  /** Each test device's name as its sessions report it. */
  static String deviceName(String deviceKey) {
    return "Walter's " + deviceKey;
  }

  static UUID id(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }

  static SessionView playing(
      String name, String device, Duration sinceT0, Location location, String ip) {
    return session(name, device, "playing", sinceT0, location, ip);
  }

  static SessionView playing(String name, String device) {
    return playing(name, device, Duration.ZERO, null, null);
  }

  static SessionView session(
      String name, String device, String status, Duration sinceT0, Location location, String ip) {
    return new SessionView(
        id(name),
        USER,
        device,
        ip,
        status,
        T0.plus(sinceT0),
        location,
        deviceName(device),
        USER_NAME);
  }

  /** Watched from {@code start} to {@code end} after T0, then ended. */
  static SessionView watched(
      String name, String device, Duration start, Duration end, Location location) {
    return new SessionView(
        id(name),
        USER,
        device,
        "ip-" + name,
        "stopped",
        T0.plus(start),
        location,
        deviceName(device),
        USER_NAME,
        T0.plus(end),
        T0.plus(end));
  }

  /** Still open, its latest heartbeat {@code lastHeartbeat} after T0. */
  static SessionView open(
      String name, String device, Duration start, Duration lastHeartbeat, Location location) {
    return new SessionView(
        id(name),
        USER,
        device,
        "ip-" + name,
        "playing",
        T0.plus(start),
        location,
        deviceName(device),
        USER_NAME,
        null,
        T0.plus(lastHeartbeat));
  }

  static SessionView withStatus(String name, String device, String status) {
    return session(name, device, status, Duration.ZERO, null, null);
  }
}
