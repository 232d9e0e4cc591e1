package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/** Two devices on one account streaming at the same time from places too far apart. */
public final class GeoImpossibleRule {

  public static final String ALERT_TYPE = "geo_impossible";

  static final double HIGH_SEVERITY_KM = 2000.0;

  private final double thresholdKm;

  public GeoImpossibleRule(double thresholdKm) {
    if (!(thresholdKm >= 0)) {
      throw new IllegalArgumentException("thresholdKm must be >= 0: " + thresholdKm);
    }
    this.thresholdKm = thresholdKm;
  }

  /**
   * @param userSessions one user's sessions; only active, located ones are compared
   */
  public Optional<Finding> evaluate(List<SessionView> userSessions) {
    List<SessionView> candidates =
        userSessions.stream()
            .filter(SessionView::active)
            .filter(SessionView::located)
            .sorted(SessionOrder.BY_START)
            .toList();
    SessionPair farthest = null;
    double farthestKm = -1;
    for (int i = 0; i < candidates.size(); i++) {
      for (int j = i + 1; j < candidates.size(); j++) {
        SessionPair pair = new SessionPair(candidates.get(i), candidates.get(j));
        // One device changing IP (e.g. turning a VPN on) is not two viewers.
        if (pair.sameDevice()) {
          continue;
        }
        double km = pair.effectiveDistanceKm();
        if (km > farthestKm) {
          farthest = pair;
          farthestKm = km;
        }
      }
    }
    if (farthest == null || farthestKm <= thresholdKm) {
      return Optional.empty();
    }
    JsonObject evidence =
        farthest.describeInto(
            new JsonObject()
                .put("distance_km", Evidence.round1(farthestKm))
                .put("raw_distance_km", Evidence.round1(farthest.rawDistanceKm()))
                .put("threshold_km", thresholdKm));
    String severity = farthestKm > HIGH_SEVERITY_KM ? Finding.HIGH : Finding.MEDIUM;
    return Optional.of(
        new Finding(ALERT_TYPE, severity, evidence, farthest.sessionIds(), farthest.deviceKeys()));
  }
}
