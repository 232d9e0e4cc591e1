package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A rule's verdict that something looks like account sharing.
 *
 * @param severity {@link #LOW}, {@link #MEDIUM} or {@link #HIGH}
 * @param sessionIds the sessions that triggered the finding (empty when not session based)
 * @param deviceKeys the devices involved
 */
public record Finding(
    String alertType,
    String severity,
    JsonObject evidence,
    Set<UUID> sessionIds,
    Set<String> deviceKeys) {

  public static final String LOW = "low";
  public static final String MEDIUM = "medium";
  public static final String HIGH = "high";

  public Finding {
    Objects.requireNonNull(alertType, "alertType");
    if (!LOW.equals(severity) && !MEDIUM.equals(severity) && !HIGH.equals(severity)) {
      throw new IllegalArgumentException("severity must be low, medium or high: " + severity);
    }
    evidence = evidence.copy();
    sessionIds = Set.copyOf(sessionIds);
    deviceKeys = Set.copyOf(deviceKeys);
  }
}
