package io.tracearr.analytics.detect;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.detect.rules.ConcurrentStreamsRule;
import io.tracearr.analytics.detect.rules.DeviceSpikeRule;
import io.tracearr.analytics.detect.rules.Finding;
import io.tracearr.analytics.detect.rules.GeoImpossibleRule;
import io.tracearr.analytics.detect.rules.ImpossibleTravelRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules this node runs, as configured: {@code sharing_detection.enabled=false} switches every
 * rule off, each rule has its own switch, and the geo rules are also off without a usable GeoIP
 * database.
 */
public final class SharingRules {

  public static final Duration DEVICE_WINDOW = Duration.ofHours(24);

  private final ConcurrentStreamsRule concurrent;
  private final GeoImpossibleRule geo;
  private final ImpossibleTravelRule travel;
  private final DeviceSpikeRule spike;

  public SharingRules(AppConfig.SharingDetection cfg, boolean geoEnabled) {
    boolean on = cfg.enabled();
    AppConfig.Rules r = cfg.rules();
    concurrent =
        on && r.concurrentStreams()
            ? new ConcurrentStreamsRule(cfg.concurrentStreamsThreshold())
            : null;
    geo =
        on && geoEnabled && r.geoImpossible()
            ? new GeoImpossibleRule(cfg.geoDistanceThresholdKm())
            : null;
    travel =
        on && geoEnabled && r.impossibleTravel()
            ? new ImpossibleTravelRule(cfg.maxTravelSpeedKmh())
            : null;
    spike =
        on && r.deviceSpike()
            ? new DeviceSpikeRule(cfg.deviceSpikeThreshold(), DEVICE_WINDOW)
            : null;
  }

  public boolean any() {
    return needsSessions() || needsDevices();
  }

  public boolean needsSessions() {
    return concurrent != null || geo != null || travel != null;
  }

  public boolean needsDevices() {
    return spike != null;
  }

  /**
   * The rule {@code alertType} alone, judged again (a rule action's sustain window ended): its
   * finding if the violation still holds; empty when it does not or the rule is off now.
   */
  public java.util.Optional<Finding> judgeOne(
      String alertType, ActivityRepository.UserActivity activity, Instant now) {
    return switch (alertType) {
      case "concurrent_streams" ->
          concurrent == null
              ? java.util.Optional.empty()
              : concurrent.evaluate(activity.sessions());
      case "geo_impossible" ->
          geo == null ? java.util.Optional.empty() : geo.evaluate(activity.sessions());
      case "impossible_travel" ->
          travel == null ? java.util.Optional.empty() : travel.evaluate(activity.sessions());
      case "device_spike" ->
          spike == null ? java.util.Optional.empty() : spike.evaluate(activity.devices(), now);
      default -> java.util.Optional.empty();
    };
  }

  /** At most one finding per rule, in a fixed rule order. */
  public List<Finding> judge(ActivityRepository.UserActivity activity, Instant now) {
    List<Finding> findings = new ArrayList<>(4);
    if (concurrent != null) concurrent.evaluate(activity.sessions()).ifPresent(findings::add);
    if (geo != null) geo.evaluate(activity.sessions()).ifPresent(findings::add);
    if (travel != null) travel.evaluate(activity.sessions()).ifPresent(findings::add);
    if (spike != null) spike.evaluate(activity.devices(), now).ifPresent(findings::add);
    return findings;
  }
}
