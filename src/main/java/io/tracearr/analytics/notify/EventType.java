package io.tracearr.analytics.notify;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a notification can be about. A channel subscribes to a set of these by wire name. */
public enum EventType {
  ALERT_RAISED("alert.raised", true),
  // every re-judgement of an open alert updates it: too chatty to be on unless asked for
  ALERT_UPDATED("alert.updated", false),
  ALERT_DISMISSED("alert.dismissed", true),
  DEVICE_NEW("device.new", true),
  // one per playback: most operators only want this for a few watched users (see
  // ChannelSpec.userIds)
  SESSION_STARTED("session.started", false),
  SESSION_TERMINATED("session.terminated", true),
  MEDIA_SERVER_DOWN("media_server.down", true),
  MEDIA_SERVER_UP("media_server.up", true),
  TEST("test", true);

  private final String wireName;
  private final boolean onByDefault;

  EventType(String wireName, boolean onByDefault) {
    this.wireName = wireName;
    this.onByDefault = onByDefault;
  }

  public String wireName() {
    return wireName;
  }

  public boolean isAlert() {
    return this == ALERT_RAISED || this == ALERT_UPDATED || this == ALERT_DISMISSED;
  }

  /** The events a channel gets when it names none. */
  public static Set<EventType> defaults() {
    EnumSet<EventType> set = EnumSet.noneOf(EventType.class);
    Arrays.stream(values()).filter(e -> e.onByDefault).forEach(set::add);
    return Collections.unmodifiableSet(set);
  }

  public static Optional<EventType> fromWireName(String name) {
    return Arrays.stream(values()).filter(e -> e.wireName.equals(name)).findFirst();
  }
}
