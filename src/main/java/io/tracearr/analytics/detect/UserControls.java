package io.tracearr.analytics.detect;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What an admin set for one user (issue 15): rules the user is exempt from (until {@code
 * exemptUntil} when set), thresholds replacing the global ones, and devices never treated as new
 * nor as half of a geo or travel pair. The detector caches one per user and drops it when any node
 * changes it.
 *
 * @param thresholds rule name → threshold ({@code Integer} for concurrent_streams and device_spike,
 *     {@code Double} for geo_impossible and impossible_travel)
 */
public record UserControls(
    Set<String> exempt,
    Instant exemptUntil,
    Map<String, Number> thresholds,
    Set<String> trustedDevices) {

  public static final UserControls NONE = new UserControls(Set.of(), null, Map.of(), Set.of());

  public UserControls {
    exempt = Set.copyOf(exempt);
    thresholds = Map.copyOf(thresholds);
    trustedDevices = Set.copyOf(trustedDevices);
  }

  /** True while the user is exempt from {@code rule}: listed, and before exempt_until if set. */
  public boolean exempt(String rule, Instant now) {
    return exempt.contains(rule) && (exemptUntil == null || now.isBefore(exemptUntil));
  }

  /** The user's own threshold for {@code rule}, or null for the global one. */
  public Number threshold(String rule) {
    return thresholds.get(rule);
  }

  public boolean trusts(String deviceKey) {
    return deviceKey != null && trustedDevices.contains(deviceKey);
  }
}
