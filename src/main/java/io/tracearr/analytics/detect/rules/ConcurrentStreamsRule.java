package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/** Too many devices streaming on one account at the same time. */
public final class ConcurrentStreamsRule {

  public static final String ALERT_TYPE = "concurrent_streams";

  private final int threshold;

  /**
   * @param threshold the number of simultaneous devices a user may have without an alert
   */
  public ConcurrentStreamsRule(int threshold) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be >= 1: " + threshold);
    }
    this.threshold = threshold;
  }

  /**
   * @param userSessions one user's sessions; inactive ones are ignored
   */
  public Optional<Finding> evaluate(List<SessionView> userSessions) {
    List<SessionView> active = userSessions.stream().filter(SessionView::active).toList();
    // Devices, not sessions: one device playing back-to-back episodes is one viewer.
    Set<String> devices =
        active.stream().map(SessionView::deviceKey).collect(Collectors.toCollection(TreeSet::new));
    int count = devices.size();
    if (count <= threshold) {
      return Optional.empty();
    }
    Set<UUID> sessionIds = active.stream().map(SessionView::id).collect(Collectors.toSet());
    JsonObject evidence =
        new JsonObject()
            .put("count", count)
            .put("threshold", threshold)
            .put("user_name", Evidence.userName(active))
            .put("session_ids", Evidence.sortedIds(sessionIds))
            .put("devices", Evidence.sortedStrings(devices))
            .put("device_names", Evidence.deviceNames(devices, active));
    String severity = count >= 2 * threshold ? Finding.HIGH : Finding.MEDIUM;
    return Optional.of(new Finding(ALERT_TYPE, severity, evidence, sessionIds, devices));
  }
}
