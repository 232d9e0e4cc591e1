package io.tracearr.analytics.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * What a sharing rule does once it raised an alert (issue 15): nothing, or terminate some of the
 * user's sessions after a sustain window ({@code delaySeconds}, the rule is judged again then), at
 * most once per {@code cooldownMinutes} per user and rule. Validated the same way from the config
 * file and from {@code PUT /rules/{rule}}; an error names the field.
 *
 * @param onlyIfTrustBelow act only when the user's trust score (issue 15 part B) is below this;
 *     null = always
 */
public record RuleAction(
    String type,
    String target,
    int delaySeconds,
    int cooldownMinutes,
    String message,
    Integer onlyIfTrustBelow) {

  public static final List<String> TYPES = List.of("none", "terminate");
  public static final List<String> TARGETS =
      List.of("triggering", "newest", "oldest", "all_but_oldest", "all");
  public static final Set<String> FIELDS =
      Set.of(
          "type", "target", "delay_seconds", "cooldown_minutes", "message", "only_if_trust_below");
  public static final int MAX_DELAY_SECONDS = 86_400;
  public static final int MAX_COOLDOWN_MINUTES = 10_080;
  public static final int MAX_MESSAGE_LENGTH = 200;

  public static final RuleAction NONE = new RuleAction("none", "triggering", 0, 10, "", null);

  /** A field that is wrong: {@code field} is relative to the action object. */
  public static final class Invalid extends RuntimeException {
    private final String field;

    Invalid(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  public boolean terminates() {
    return "terminate".equals(type);
  }

  /** {@code base} fills what {@code json} leaves out (a partial PUT keeps the other fields). */
  public static RuleAction from(JsonObject json, RuleAction base) {
    for (String k : json.fieldNames())
      if (!FIELDS.contains(k)) throw new Invalid(k, "is not a rule action field");
    String type = oneOf(json, "type", TYPES, base.type);
    String target = oneOf(json, "target", TARGETS, base.target);
    int delay = integer(json, "delay_seconds", 0, MAX_DELAY_SECONDS, base.delaySeconds);
    int cooldown = integer(json, "cooldown_minutes", 0, MAX_COOLDOWN_MINUTES, base.cooldownMinutes);
    String message = base.message;
    if (json.containsKey("message")) {
      Object v = json.getValue("message");
      if (v == null) message = "";
      else if (!(v instanceof String s)) throw new Invalid("message", "must be a string");
      else if (s.length() > MAX_MESSAGE_LENGTH)
        throw new Invalid("message", "must be at most " + MAX_MESSAGE_LENGTH + " characters");
      else message = s.strip();
    }
    Integer trust = base.onlyIfTrustBelow;
    if (json.containsKey("only_if_trust_below")) {
      trust =
          json.getValue("only_if_trust_below") == null
              ? null
              : integer(json, "only_if_trust_below", 1, 100, 0);
    }
    return new RuleAction(type, target, delay, cooldown, message, trust);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("type", type)
        .put("target", target)
        .put("delay_seconds", delaySeconds)
        .put("cooldown_minutes", cooldownMinutes)
        .put("message", message)
        .put("only_if_trust_below", onlyIfTrustBelow);
  }

  private static String oneOf(JsonObject json, String field, List<String> allowed, String dflt) {
    if (!json.containsKey(field)) return dflt;
    Object v = json.getValue(field);
    if (v instanceof String s && allowed.contains(s)) return s;
    throw new Invalid(field, "must be one of: " + String.join(", ", allowed));
  }

  private static int integer(JsonObject json, String field, int min, int max, int dflt) {
    if (!json.containsKey(field)) return dflt;
    Object v = json.getValue(field);
    if (v instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= min
        && n.doubleValue() <= max) return n.intValue();
    throw new Invalid(field, "must be an integer " + min + ".." + max);
  }
}
