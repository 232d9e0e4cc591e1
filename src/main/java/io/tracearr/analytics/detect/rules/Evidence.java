package io.tracearr.analytics.detect.rules;

import io.vertx.core.json.JsonArray;
import java.util.Collection;
import java.util.UUID;

/** Formatting shared by the rules' evidence. */
final class Evidence {

  private Evidence() {}

  static double round1(double value) {
    return Math.round(value * 10.0) / 10.0;
  }

  static double round3(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }

  /** Sorted by text so the evidence is stable whatever order the sessions arrived in. */
  static JsonArray sortedIds(Collection<UUID> ids) {
    return new JsonArray(ids.stream().map(UUID::toString).sorted().toList());
  }

  static JsonArray sortedStrings(Collection<String> values) {
    return new JsonArray(values.stream().sorted().toList());
  }

  /** The user's name as the sessions (all the same user's) carry it; null when never given. */
  static String userName(Collection<SessionView> sessions) {
    return sessions.stream()
        .map(SessionView::userName)
        .filter(n -> n != null)
        .findFirst()
        .orElse(null);
  }

  /**
   * The name of each device key, from the newest session on it (a device may be renamed between
   * sessions); null when no session named it. Keys in the order given.
   */
  static JsonArray deviceNames(Collection<String> keys, Collection<SessionView> sessions) {
    java.util.Map<String, SessionView> newest = new java.util.HashMap<>();
    for (SessionView s : sessions) {
      newest.merge(s.deviceKey(), s, (a, b) -> SessionOrder.BY_START.compare(a, b) >= 0 ? a : b);
    }
    JsonArray names = new JsonArray();
    for (String key : keys) {
      SessionView s = newest.get(key);
      names.add(s == null ? null : s.deviceName());
    }
    return names;
  }
}
