package io.tracearr.analytics.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of receiver a notification channel can address; the wire name is the lower-case
 * constant.
 */
public enum ChannelType {
  WEBHOOK,
  DISCORD,
  SLACK,
  NTFY,
  GOTIFY,
  TELEGRAM,
  PUSHOVER,
  EMAIL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ChannelType> fromWireName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName().equals(name)).findFirst();
  }

  /** For error messages: "webhook, discord, ...". */
  public static String wireNames() {
    return String.join(", ", Arrays.stream(values()).map(ChannelType::wireName).toList());
  }
}
