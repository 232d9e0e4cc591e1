package io.tracearr.analytics.gateway.live;

import java.util.Locale;
import java.util.Optional;

/**
 * What a dashboard can subscribe to; control frames (hello, snapshot, pong, error, subscribed)
 * belong to none.
 */
public enum Topic {
  SESSIONS,
  ALERTS,
  STATS,
  IMPORTS;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Topic> parse(Object wire) {
    if (!(wire instanceof String s)) return Optional.empty();
    for (Topic t : values()) if (t.wireName().equals(s)) return Optional.of(t);
    return Optional.empty();
  }

  /** The topic of a frame type ({@code session.started} → sessions), or null for control frames. */
  static Topic ofFrameType(String type) {
    if (type.startsWith("session.")) return SESSIONS;
    if (type.startsWith("alert.")) return ALERTS;
    if (type.startsWith("stats.")) return STATS;
    if (type.startsWith("import.")) return IMPORTS;
    return null;
  }
}
