package io.tracearr.analytics.detect;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigLoader;
import io.tracearr.analytics.config.RuleAction;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effective settings of every sharing rule: the config file's, overridden per rule by what
 * {@code PUT /rules/{rule}} stored in {@code rule_settings}. Pure and immutable; {@link #apply}
 * validates a change (errors name the field) and returns the new book.
 */
public final class RuleBook {

  /** One rule: its switch, its thresholds (by API name) and its action. */
  public record Setting(
      String rule, boolean enabled, Map<String, Number> thresholds, RuleAction action) {
    public JsonObject toJson() {
      JsonObject t = new JsonObject();
      thresholds.forEach(t::put);
      return new JsonObject()
          .put("rule", rule)
          .put("enabled", enabled)
          .put("thresholds", t)
          .put("action", action.toJson());
    }
  }

  /** A threshold's API name and bounds, per rule (the config file's bounds). */
  private record Bound(String name, double min, double max, boolean integer) {}

  private static final Map<String, Bound> BOUNDS =
      Map.of(
          "concurrent_streams", new Bound("max_streams", 1, 1000, true),
          "geo_impossible", new Bound("distance_km", 1, 40_000, false),
          "impossible_travel", new Bound("max_speed_kmh", 1, 100_000, false),
          "device_spike", new Bound("max_new_devices", 1, 10_000, true));

  public static final List<String> RULES = ConfigLoader.RULES;

  private final AppConfig.SharingDetection base;
  private final Map<String, Setting> settings;

  private RuleBook(AppConfig.SharingDetection base, Map<String, Setting> settings) {
    this.base = base;
    this.settings = Map.copyOf(settings);
  }

  public static RuleBook fromConfig(AppConfig config) {
    AppConfig.SharingDetection d = config.analytics().sharingDetection();
    Map<String, Setting> s = new LinkedHashMap<>();
    Map<String, RuleAction> actions = config.enforcement().ruleActions();
    s.put(
        "concurrent_streams",
        new Setting(
            "concurrent_streams",
            d.rules().concurrentStreams(),
            Map.of("max_streams", d.concurrentStreamsThreshold()),
            actions.getOrDefault("concurrent_streams", RuleAction.NONE)));
    s.put(
        "geo_impossible",
        new Setting(
            "geo_impossible",
            d.rules().geoImpossible(),
            Map.of("distance_km", d.geoDistanceThresholdKm()),
            actions.getOrDefault("geo_impossible", RuleAction.NONE)));
    s.put(
        "impossible_travel",
        new Setting(
            "impossible_travel",
            d.rules().impossibleTravel(),
            Map.of("max_speed_kmh", d.maxTravelSpeedKmh()),
            actions.getOrDefault("impossible_travel", RuleAction.NONE)));
    s.put(
        "device_spike",
        new Setting(
            "device_spike",
            d.rules().deviceSpike(),
            Map.of("max_new_devices", d.deviceSpikeThreshold()),
            actions.getOrDefault("device_spike", RuleAction.NONE)));
    return new RuleBook(d, s);
  }

  /** Stored overrides ({@code rule → settings JSON}, as {@link Setting#toJson}) applied on top. */
  public RuleBook withStored(Map<String, JsonObject> stored) {
    RuleBook book = this;
    for (var e : stored.entrySet()) {
      if (!settings.containsKey(e.getKey())) continue;
      try {
        book = book.apply(e.getKey(), e.getValue());
      } catch (Problem ignored) {
        // a stored row is validated before it is written; one that no longer passes keeps the
        // file's values
      }
    }
    return book;
  }

  public boolean knows(String rule) {
    return settings.containsKey(rule);
  }

  public Setting get(String rule) {
    return settings.get(rule);
  }

  public List<Setting> all() {
    return RULES.stream().map(settings::get).toList();
  }

  /**
   * The book with {@code body} ({@code enabled}, {@code thresholds}, {@code action}, each optional)
   * merged into {@code rule}'s setting; a 400 problem naming the field when something is wrong.
   */
  public RuleBook apply(String rule, JsonObject body) {
    Setting cur = settings.get(rule);
    if (cur == null) throw Problem.notFound("No rule " + rule);
    for (String k : body.fieldNames()) {
      if (!List.of("enabled", "thresholds", "action", "rule").contains(k))
        throw Problem.validation(k, "is not a rule setting");
    }
    if (body.containsKey("rule") && !rule.equals(body.getValue("rule")))
      throw Problem.validation("rule", "must be " + rule + " (the rule in the path)");
    boolean enabled = cur.enabled();
    if (body.containsKey("enabled")) {
      if (!(body.getValue("enabled") instanceof Boolean b))
        throw Problem.validation("enabled", "must be true or false");
      enabled = b;
    }
    Map<String, Number> thresholds = cur.thresholds();
    if (body.containsKey("thresholds")) {
      if (!(body.getValue("thresholds") instanceof JsonObject t))
        throw Problem.validation("thresholds", "must be an object");
      Bound bound = BOUNDS.get(rule);
      for (String k : t.fieldNames()) {
        if (!k.equals(bound.name()))
          throw Problem.validation(
              "thresholds." + k, "is not a threshold of " + rule + " (" + bound.name() + ")");
        Object v = t.getValue(k);
        if (!(v instanceof Number n)
            || !(n.doubleValue() >= bound.min() && n.doubleValue() <= bound.max())
            || (bound.integer() && n.doubleValue() != Math.rint(n.doubleValue())))
          throw Problem.validation(
              "thresholds." + k,
              "must be "
                  + (bound.integer() ? "an integer " : "a number ")
                  + fmt(bound.min())
                  + ".."
                  + fmt(bound.max()));
        thresholds = Map.of(k, bound.integer() ? (Number) n.intValue() : (Number) n.doubleValue());
      }
    }
    RuleAction action = cur.action();
    if (body.containsKey("action")) {
      if (!(body.getValue("action") instanceof JsonObject a))
        throw Problem.validation("action", "must be an object");
      try {
        action = RuleAction.from(a, cur.action());
      } catch (RuleAction.Invalid e) {
        throw Problem.validation("action." + e.field(), e.getMessage());
      }
    }
    Map<String, Setting> next = new LinkedHashMap<>(settings);
    next.put(rule, new Setting(rule, enabled, thresholds, action));
    return new RuleBook(base, next);
  }

  /** The detection settings the rules run with (the switches and thresholds of this book). */
  public AppConfig.SharingDetection detection() {
    return new AppConfig.SharingDetection(
        base.enabled(),
        get("concurrent_streams").thresholds().get("max_streams").intValue(),
        get("geo_impossible").thresholds().get("distance_km").doubleValue(),
        get("device_spike").thresholds().get("max_new_devices").intValue(),
        get("impossible_travel").thresholds().get("max_speed_kmh").doubleValue(),
        base.sweepSeconds(),
        base.trustedNetworks(),
        new AppConfig.Rules(
            get("concurrent_streams").enabled(),
            get("geo_impossible").enabled(),
            get("impossible_travel").enabled(),
            get("device_spike").enabled()));
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
