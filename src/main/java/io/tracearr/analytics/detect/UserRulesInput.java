package io.tracearr.analytics.detect;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.detect.rules.ConcurrentStreamsRule;
import io.tracearr.analytics.detect.rules.DeviceSpikeRule;
import io.tracearr.analytics.detect.rules.GeoImpossibleRule;
import io.tracearr.analytics.detect.rules.ImpossibleTravelRule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of {@code PUT /users/{id}/rules}, validated by the detector (the writer) whatever door
 * it came through: every error names its field ({@code exempt[1]}, {@code thresholds.device_spike})
 * and a refused body changes nothing.
 */
public final class UserRulesInput {

  public static final Set<String> RULES =
      Set.of(
          ConcurrentStreamsRule.ALERT_TYPE,
          GeoImpossibleRule.ALERT_TYPE,
          ImpossibleTravelRule.ALERT_TYPE,
          DeviceSpikeRule.ALERT_TYPE);

  /** The same bounds as the global thresholds in the config (ConfigLoader). */
  record Bounds(double min, double max, boolean integer) {}

  static final Map<String, Bounds> BOUNDS =
      Map.of(
          ConcurrentStreamsRule.ALERT_TYPE, new Bounds(1, 1000, true),
          DeviceSpikeRule.ALERT_TYPE, new Bounds(1, 10_000, true),
          GeoImpossibleRule.ALERT_TYPE, new Bounds(1, 40_000, false),
          ImpossibleTravelRule.ALERT_TYPE, new Bounds(1, 100_000, false));

  private static final Set<String> FIELDS = Set.of("exempt", "exempt_until", "thresholds");

  /** A valid body: exempt rules sorted, thresholds in a stable order. */
  public record Rules(List<String> exempt, Instant exemptUntil, Map<String, Number> thresholds) {

    public JsonObject thresholdsJson() {
      JsonObject t = new JsonObject();
      thresholds.forEach(t::put);
      return t;
    }
  }

  private UserRulesInput() {}

  public static Rules parse(JsonObject body) {
    if (body == null) throw Problem.validation("body", "must be a JSON object");
    for (String key : body.fieldNames())
      if (!FIELDS.contains(key))
        throw Problem.validation(
            key, "is not a field of the rules (exempt, exempt_until, thresholds)");

    TreeSet<String> exempt = new TreeSet<>();
    Object e = body.getValue("exempt");
    if (e != null) {
      if (!(e instanceof JsonArray arr)) throw Problem.validation("exempt", "must be an array");
      for (int i = 0; i < arr.size(); i++) {
        Object v = arr.getValue(i);
        if (!(v instanceof String s) || !RULES.contains(s))
          throw Problem.validation("exempt[" + i + "]", "must be one of " + new TreeSet<>(RULES));
        exempt.add(s);
      }
    }

    Instant until = null;
    Object u = body.getValue("exempt_until");
    if (u != null) {
      if (!(u instanceof String s))
        throw Problem.validation("exempt_until", "must be a date-time string or null");
      try {
        until = OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException ex) {
        throw Problem.validation("exempt_until", "must be an RFC 3339 date-time");
      }
    }

    Map<String, Number> thresholds = new LinkedHashMap<>();
    Object t = body.getValue("thresholds");
    if (t != null) {
      if (!(t instanceof JsonObject obj))
        throw Problem.validation("thresholds", "must be an object");
      for (String rule : new TreeSet<>(obj.fieldNames())) {
        String field = "thresholds." + rule;
        Bounds b = BOUNDS.get(rule);
        if (b == null) throw Problem.validation(field, "is not a rule: " + new TreeSet<>(RULES));
        Object v = obj.getValue(rule);
        if (!(v instanceof Number n)) throw Problem.validation(field, "must be a number");
        double d = n.doubleValue();
        if (b.integer() && (d != Math.rint(d)))
          throw Problem.validation(field, "must be a whole number");
        if (!(d >= b.min() && d <= b.max()))
          throw Problem.validation(
              field, "must be between " + fmt(b.min()) + " and " + fmt(b.max()));
        thresholds.put(rule, b.integer() ? (Number) (int) d : (Number) d);
      }
    }
    return new Rules(new ArrayList<>(exempt), until, thresholds);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
