package io.tracearr.analytics.notify;

import io.tracearr.analytics.api.Problem.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One notification channel, validated and typed: where to send, which events, from which severity,
 * and when to hold back. Built only through {@link #parse}, {@link #restore} or {@link #merge},
 * which name every bad field in one 400.
 *
 * @param userIds for {@code session.started} only: the users whose sessions are announced; empty =
 *     everyone
 */
public record ChannelSpec(
    UUID id,
    String name,
    ChannelType type,
    boolean enabled,
    Set<EventType> events,
    Severity minSeverity,
    QuietHours quietHours,
    Set<String> userIds,
    ChannelSettings settings) {

  static final int NAME_MAX = 100;
  private static final Pattern HH_MM = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");

  public ChannelSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(settings, "settings");
    if (settings.type() != type)
      throw new IllegalArgumentException("settings of " + settings.type() + " for " + type);
    events =
        Collections.unmodifiableSet(
            events.isEmpty() ? EnumSet.noneOf(EventType.class) : EnumSet.copyOf(events));
    userIds = Collections.unmodifiableSet(new LinkedHashSet<>(userIds));
    Objects.requireNonNull(minSeverity, "minSeverity");
  }

  /** A new channel from a POST body (or a config entry); any {@code id} in the body is ignored. */
  public static Validated<ChannelSpec> parse(JsonObject body) {
    return read(UUID.randomUUID(), body);
  }

  /** A channel as the repository stored it ({@link #storedJson}), keeping its id. */
  public static Validated<ChannelSpec> restore(JsonObject stored) {
    UUID id;
    try {
      id = UUID.fromString(String.valueOf(stored.getValue("id")));
    } catch (IllegalArgumentException e) {
      return Validated.invalid(List.of(new FieldError("id", "must be a UUID")));
    }
    return read(id, stored);
  }

  /**
   * This channel with a PATCH body applied as an RFC 7396 merge patch over its stored form: omitted
   * fields (secrets included) keep their value, {@code null} removes an optional one. The type
   * cannot change, since the settings of one type mean nothing to another; delete and recreate
   * instead.
   */
  public Validated<ChannelSpec> merge(JsonObject patch) {
    Object newType = patch.getValue("type");
    if (newType != null && !type.wireName().equals(newType)) {
      return Validated.invalid(
          List.of(
              new FieldError(
                  "type", "cannot be changed; delete the channel and create a new one")));
    }
    Object newId = patch.getValue("id");
    if (newId != null && !id.toString().equals(newId)) {
      return Validated.invalid(List.of(new FieldError("id", "cannot be changed")));
    }
    return read(id, JsonMergePatch.apply(storedJson(), patch));
  }

  /**
   * Whether an event of this kind, at this severity, about this user, is for this channel (quiet
   * hours aside).
   */
  public boolean wants(NotificationEvent event) {
    if (!enabled || !events.contains(event.type())) return false;
    if (event.severity() != null && !event.severity().atLeast(minSeverity)) return false;
    if (event.type() == EventType.SESSION_STARTED && !userIds.isEmpty()) {
      return event.userId() != null && userIds.contains(event.userId());
    }
    return true;
  }

  /** What the API shows: never a secret, only {@code <field>_set} flags. */
  public JsonObject toJson() {
    return common().mergeIn(settings.publicJson());
  }

  /**
   * Everything, secrets included: for the repository's row only, never for a response or a log
   * line.
   */
  public JsonObject storedJson() {
    return common().mergeIn(settings.storedJson());
  }

  @Override
  public String toString() {
    // records print every component; settings hold secrets
    return "ChannelSpec[" + id + " " + type.wireName() + " '" + name + "']";
  }

  private JsonObject common() {
    JsonArray eventNames = new JsonArray();
    events.forEach(e -> eventNames.add(e.wireName()));
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("type", type.wireName())
        .put("enabled", enabled)
        .put("events", eventNames)
        .put("min_severity", minSeverity.wireName())
        .put("quiet_hours", quietHours == null ? null : quietHours.toJson())
        .put("user_ids", new JsonArray(List.copyOf(userIds)));
  }

  private static Validated<ChannelSpec> read(UUID id, JsonObject body) {
    FieldReader in = new FieldReader(body);
    String name = in.requiredString("name");
    if (name != null && name.length() > NAME_MAX)
      in.error("name", "must be at most " + NAME_MAX + " characters");
    ChannelType type = type(in);
    boolean enabled = in.bool("enabled", true);
    Set<EventType> events = events(in);
    Severity minSeverity = minSeverity(in);
    QuietHours quietHours = quietHours(in);
    List<String> userIds = in.stringList("user_ids");
    ChannelSettings settings = type == null ? null : ChannelSettings.read(type, in);
    if (!in.errors().isEmpty()) return Validated.invalid(in.errors());
    return Validated.valid(
        new ChannelSpec(
            id,
            name,
            type,
            enabled,
            events,
            minSeverity,
            quietHours,
            userIds == null ? Set.of() : new LinkedHashSet<>(userIds),
            settings));
  }

  private static ChannelType type(FieldReader in) {
    String text = in.requiredString("type");
    if (text == null) return null;
    return ChannelType.fromWireName(text)
        .orElseGet(
            () -> {
              in.error("type", "must be one of " + ChannelType.wireNames());
              return null;
            });
  }

  private static Set<EventType> events(FieldReader in) {
    List<String> names = in.stringList("events");
    if (names == null) return EventType.defaults();
    if (names.isEmpty()) {
      in.error("events", "must name at least one event");
      return EventType.defaults();
    }
    EnumSet<EventType> events = EnumSet.noneOf(EventType.class);
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      String field = "events[" + i + "]";
      EventType.fromWireName(n)
          .ifPresentOrElse(events::add, () -> in.error(field, "unknown event '" + n + "'"));
    }
    return events;
  }

  private static Severity minSeverity(FieldReader in) {
    String text = in.optionalString("min_severity", "low");
    if (text == null) return Severity.LOW;
    return Severity.fromWireName(text)
        .orElseGet(
            () -> {
              in.error("min_severity", "must be low, medium or high");
              return Severity.LOW;
            });
  }

  private static QuietHours quietHours(FieldReader outer) {
    FieldReader in = outer.nested("quiet_hours");
    if (in == null) return null;
    String zoneText = in.requiredString("timezone");
    ZoneId zone = null;
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText);
      } catch (DateTimeException e) {
        in.error("timezone", "unknown time zone");
      }
    }
    LocalTime start = hhmm(in, "start");
    LocalTime end = hhmm(in, "end");
    if (start != null && start.equals(end)) in.error("end", "must differ from start");
    boolean allowHigh = in.bool("allow_high", false);
    if (zone == null || start == null || end == null || start.equals(end)) return null;
    return new QuietHours(zone, start, end, allowHigh);
  }

  private static LocalTime hhmm(FieldReader in, String field) {
    String text = in.requiredString(field);
    if (text == null) return null;
    if (!HH_MM.matcher(text).matches()) {
      in.error(field, "must be a time as HH:mm (00:00-23:59)");
      return null;
    }
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      in.error(field, "must be a time as HH:mm (00:00-23:59)");
      return null;
    }
  }
}
