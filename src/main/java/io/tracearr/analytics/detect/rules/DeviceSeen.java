package io.tracearr.analytics.detect.rules;

import java.time.Instant;
import java.util.Objects;

/** When a user's device was first seen on the account. */
public record DeviceSeen(String deviceKey, Instant firstSeenAt) {

    public DeviceSeen {
        Objects.requireNonNull(deviceKey, "deviceKey");
        Objects.requireNonNull(firstSeenAt, "firstSeenAt");
    }
}
