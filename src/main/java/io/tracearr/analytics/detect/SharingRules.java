package io.tracearr.analytics.detect;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.detect.rules.ConcurrentStreamsRule;
import io.tracearr.analytics.detect.rules.DeviceSeen;
import io.tracearr.analytics.detect.rules.DeviceSpikeRule;
import io.tracearr.analytics.detect.rules.Finding;
import io.tracearr.analytics.detect.rules.GeoImpossibleRule;
import io.tracearr.analytics.detect.rules.ImpossibleTravelRule;
import io.tracearr.analytics.detect.rules.SessionView;
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

  /** At most one finding per rule, in a fixed rule order. */
  public List<Finding> judge(ActivityRepository.UserActivity activity, Instant now) {
    return judge(activity, now, UserControls.NONE);
  }

  /**
   * As configured, then as the admin set for this user: a rule the user is exempt from is not run,
   * the user's own threshold replaces the global one (a switched-off rule stays off), and trusted
   * devices are left out of the geo and travel pairs and of the new devices. They still count as
   * concurrent streams.
   */
  public List<Finding> judge(
      ActivityRepository.UserActivity activity, Instant now, UserControls user) {
    List<Finding> findings = new ArrayList<>(4);
    List<SessionView> sessions = activity.sessions();
    List<SessionView> untrusted =
        user.trustedDevices().isEmpty()
            ? sessions
            : sessions.stream().filter(s -> !user.trusts(s.deviceKey())).toList();
    if (concurrent != null && !user.exempt(ConcurrentStreamsRule.ALERT_TYPE, now)) {
      Number t = user.threshold(ConcurrentStreamsRule.ALERT_TYPE);
      (t == null ? concurrent : new ConcurrentStreamsRule(t.intValue()))
          .evaluate(sessions)
          .ifPresent(findings::add);
    }
    if (geo != null && !user.exempt(GeoImpossibleRule.ALERT_TYPE, now)) {
      Number t = user.threshold(GeoImpossibleRule.ALERT_TYPE);
      (t == null ? geo : new GeoImpossibleRule(t.doubleValue()))
          .evaluate(untrusted)
          .ifPresent(findings::add);
    }
    if (travel != null && !user.exempt(ImpossibleTravelRule.ALERT_TYPE, now)) {
      Number t = user.threshold(ImpossibleTravelRule.ALERT_TYPE);
      (t == null ? travel : new ImpossibleTravelRule(t.doubleValue()))
          .evaluate(untrusted)
          .ifPresent(findings::add);
    }
    if (spike != null && !user.exempt(DeviceSpikeRule.ALERT_TYPE, now)) {
      Number t = user.threshold(DeviceSpikeRule.ALERT_TYPE);
      List<DeviceSeen> devices =
          user.trustedDevices().isEmpty()
              ? activity.devices()
              : activity.devices().stream().filter(d -> !user.trusts(d.deviceKey())).toList();
      (t == null ? spike : new DeviceSpikeRule(t.intValue(), DEVICE_WINDOW))
          .evaluate(devices, now)
          .ifPresent(findings::add);
    }
    return findings;
  }
}
