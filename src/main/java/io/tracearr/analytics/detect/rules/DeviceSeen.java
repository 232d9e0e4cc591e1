package io.tracearr.analytics.detect.rules;

import java.time.Instant;
import java.util.Objects;

/**
 * When a user's device was first seen on the account.
 *
 * @param deviceName the name its latest session reported (null when unknown)
 * @param userName the user's latest known name (null when never given)
 */
public record DeviceSeen(
    String deviceKey, Instant firstSeenAt, String deviceName, String userName) {

  public DeviceSeen(String deviceKey, Instant firstSeenAt) {
    this(deviceKey, firstSeenAt, null, null);
  }

  public DeviceSeen {
    Objects.requireNonNull(deviceKey, "deviceKey");
    Objects.requireNonNull(firstSeenAt, "firstSeenAt");
  }
}
