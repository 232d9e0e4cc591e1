package io.tracearr.analytics.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * An alert's severity, in the words the alerts API uses; ordered so that {@code atLeast} reads
 * naturally.
 */
public enum Severity {
  LOW,
  MEDIUM,
  HIGH;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean atLeast(Severity other) {
    return compareTo(other) >= 0;
  }

  public static Optional<Severity> fromWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
  }
}
