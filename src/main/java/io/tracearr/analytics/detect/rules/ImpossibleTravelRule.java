package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One account watching from places no traveller could cover in between. Travel time runs from the
 * earlier session's end (its last heartbeat while it is open) to the later session's start: a 3 h
 * film followed by a session elsewhere 2 h after it ended is 2 h of travel. Two sessions that
 * overlap (the later started before the earlier ended, or both are streaming now) are not travel at
 * all: that situation is {@link GeoImpossibleRule}'s, so one pair never raises both alerts.
 */
public final class ImpossibleTravelRule {

  public static final String ALERT_TYPE = "impossible_travel";

  static final Duration MAX_GAP = Duration.ofHours(24);

  /** A start right after the other session's end would otherwise give an unbounded speed. */
  static final Duration MIN_GAP = Duration.ofMinutes(1);

  private final double maxSpeedKmh;

  public ImpossibleTravelRule(double maxSpeedKmh) {
    if (!(maxSpeedKmh > 0)) {
      throw new IllegalArgumentException("maxSpeedKmh must be > 0: " + maxSpeedKmh);
    }
    this.maxSpeedKmh = maxSpeedKmh;
  }

  /**
   * @param userSessions one user's sessions, active or not; only located ones are compared
   */
  public Optional<Finding> evaluate(List<SessionView> userSessions) {
    List<SessionView> located =
        userSessions.stream().filter(SessionView::located).sorted(SessionOrder.BY_START).toList();
    SessionPair fastest = null;
    double fastestKmh = -1;
    double fastestHours = 0;
    for (int i = 1; i < located.size(); i++) {
      SessionPair pair = new SessionPair(located.get(i - 1), located.get(i));
      if (pair.sameDevice() || overlap(pair.first(), pair.second())) {
        continue;
      }
      Duration gap = Duration.between(pair.first().lastSeen(), pair.second().startedAt());
      if (gap.compareTo(MAX_GAP) > 0) {
        continue;
      }
      double hours = hours(gap.compareTo(MIN_GAP) < 0 ? MIN_GAP : gap);
      double kmh = pair.effectiveDistanceKm() / hours;
      if (kmh > fastestKmh) {
        fastest = pair;
        fastestKmh = kmh;
        fastestHours = hours;
      }
    }
    if (fastest == null || fastestKmh <= maxSpeedKmh) {
      return Optional.empty();
    }
    JsonObject evidence =
        fastest.describeInto(
            new JsonObject()
                .put("speed_kmh", Evidence.round1(fastestKmh))
                .put("distance_km", Evidence.round1(fastest.effectiveDistanceKm()))
                .put("hours", Evidence.round3(fastestHours))
                .put("left_at", fastest.first().lastSeen().toString())
                .put("arrived_at", fastest.second().startedAt().toString())
                .put("threshold_kmh", maxSpeedKmh));
    String severity = fastestKmh > 2 * maxSpeedKmh ? Finding.HIGH : Finding.MEDIUM;
    return Optional.of(
        new Finding(ALERT_TYPE, severity, evidence, fastest.sessionIds(), fastest.deviceKeys()));
  }

  /** {@code earlier} started no later than {@code later}. */
  static boolean overlap(SessionView earlier, SessionView later) {
    return (earlier.active() && later.active()) || later.startedAt().isBefore(earlier.lastSeen());
  }

  private static double hours(Duration duration) {
    return duration.toMillis() / 3_600_000.0;
  }
}
