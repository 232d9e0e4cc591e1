package io.tracearr.analytics.session;

import io.netty.util.NetUtil;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.Problem.FieldError;
import io.tracearr.analytics.api.StoredText;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Validation of session commands, shared by both doors (REST and the WebSocket ingest channel) so
 * that one body gets one answer. Collects every field error, then throws one 400 {@link Problem}.
 */
public final class SessionInput {

  public static final Set<String> CONTENT_TYPES =
      Set.of("movie", "episode", "track", "live", "other");
  public static final Set<String> CLIENT_STATUSES = Set.of("playing", "paused", "buffering");
  static final Duration MAX_PAST = Duration.ofDays(7);
  static final Duration MAX_FUTURE = Duration.ofMinutes(5);
  static final long MAX_BANDWIDTH_KBPS = 10_000_000L;
  static final double MAX_POSITION_SECONDS = 10_000_000d;

  public record Start(
      UUID id,
      UUID userId,
      String contentType,
      UUID contentId,
      String contentTitle,
      String clientName,
      String deviceName,
      String deviceId,
      String ipAddress,
      boolean transcoded,
      String resolution,
      int bandwidthKbps,
      Instant startedAt,
      boolean clientChoseId,
      Names names) {

    /** The stable device identity: device_id, else device name and client name. */
    public String deviceKey() {
      return deviceKey(deviceId, deviceName, clientName);
    }

    public static String deviceKey(String deviceId, String deviceName, String clientName) {
      return DeviceKeys.of(deviceId, deviceName, clientName);
    }
  }

  /**
   * The optional names a start may carry (issue 13), stored once per user ({@code users}) and item
   * ({@code content}) by the registry; null means "not said", which never erases a known value.
   */
  public record Names(
      String userName,
      String seriesTitle,
      Integer seasonNumber,
      Integer episodeNumber,
      Integer year,
      Double durationSeconds,
      UUID serverId) {
    public static final Names NONE = new Names(null, null, null, null, null, null, null);
  }

  static final int MAX_USER_NAME = 200;
  static final int MAX_SERIES_TITLE = 300;
  static final int MIN_YEAR = 1800, MAX_YEAR = 3000;
  static final long MAX_EPISODE_NUMBER = 100_000;
  static final double MAX_MEDIA_DURATION_SECONDS = 10_000_000d;

  /** Every field optional: null means "not reported in this heartbeat". */
  public record Heartbeat(
      String status,
      Double positionSeconds,
      Integer bandwidthKbps,
      Long bytesTransferred,
      Boolean transcoded,
      String resolution,
      String ipAddress) {}

  public record End(Instant endedAt) {}

  private SessionInput() {}

  public static Start start(JsonObject body, Instant now) {
    Fields f = new Fields(body);
    UUID id = f.uuid("id", false);
    UUID userId = f.uuid("user_id", true);
    String contentType = f.oneOf("content_type", CONTENT_TYPES, true);
    UUID contentId = f.uuid("content_id", true);
    String title = f.text("content_title", 300, false, true);
    String clientName = f.text("client_name", 100, true, false);
    String deviceName = f.text("device_name", 100, true, false);
    String deviceId = f.text("device_id", 200, false, false);
    String ip = f.ip("ip_address", true);
    Boolean transcoded = f.bool("transcoded");
    String resolution = f.text("resolution", 20, false, true);
    Long bandwidth = f.integer("bandwidth_kbps", MAX_BANDWIDTH_KBPS);
    Instant startedAt = f.instant("started_at");
    Names names = names(f);
    if (startedAt != null) {
      if (startedAt.isBefore(now.minus(MAX_PAST)))
        f.error("started_at", "must not be more than 7 days in the past");
      else if (startedAt.isAfter(now.plus(MAX_FUTURE)))
        f.error("started_at", "must not be more than 5 minutes in the future");
    }
    f.throwIfInvalid();
    return new Start(
        id == null ? UUID.randomUUID() : id,
        userId,
        contentType,
        contentId,
        title,
        clientName,
        deviceName,
        deviceId,
        ip,
        transcoded != null && transcoded,
        resolution,
        bandwidth == null ? 0 : bandwidth.intValue(),
        startedAt == null ? now : startedAt,
        id != null,
        names);
  }

  private static Names names(Fields f) {
    String userName = f.text("user_name", MAX_USER_NAME, false, false);
    String seriesTitle = f.text("series_title", MAX_SERIES_TITLE, false, false);
    Long season = f.integer("season_number", MAX_EPISODE_NUMBER);
    Long episode = f.integer("episode_number", MAX_EPISODE_NUMBER);
    Long year = f.integer("year", MAX_YEAR);
    if (year != null && year < MIN_YEAR) {
      f.error("year", "must be at least " + MIN_YEAR);
      year = null;
    }
    Double duration = f.number("media_duration_seconds", MAX_MEDIA_DURATION_SECONDS);
    UUID serverId = f.uuid("server_id", false);
    if (userName == null
        && seriesTitle == null
        && season == null
        && episode == null
        && year == null
        && duration == null
        && serverId == null) {
      return Names.NONE;
    }
    return new Names(
        userName == null ? null : userName.strip(),
        seriesTitle == null ? null : seriesTitle.strip(),
        toInt(season),
        toInt(episode),
        toInt(year),
        duration,
        serverId);
  }

  private static Integer toInt(Long l) {
    return l == null ? null : l.intValue();
  }

  public static Heartbeat heartbeat(JsonObject body) {
    Fields f = new Fields(body);
    String status = f.oneOf("status", CLIENT_STATUSES, false);
    Double position = f.number("position_seconds", MAX_POSITION_SECONDS);
    Long bandwidth = f.integer("bandwidth_kbps", MAX_BANDWIDTH_KBPS);
    Long bytes = f.integer("bytes_transferred", Long.MAX_VALUE / 2);
    Boolean transcoded = f.bool("transcoded");
    String resolution = f.text("resolution", 20, false, true);
    String ip = f.ip("ip_address", false);
    f.throwIfInvalid();
    return new Heartbeat(
        status,
        position,
        bandwidth == null ? null : bandwidth.intValue(),
        bytes,
        transcoded,
        resolution,
        ip);
  }

  public static End end(JsonObject body, Instant now) {
    Fields f = new Fields(body == null ? new JsonObject() : body);
    Instant endedAt = f.instant("ended_at");
    if (endedAt != null && endedAt.isAfter(now.plus(MAX_FUTURE))) {
      f.error("ended_at", "must not be more than 5 minutes in the future");
    }
    f.throwIfInvalid();
    return new End(endedAt);
  }

  public static UUID pathId(String name, String value) {
    try {
      if (value != null && value.length() == 36) return UUID.fromString(value);
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw Problem.validation(name, "must be a UUID");
  }

  /**
   * Typed reads of one JSON body that record an error per bad field instead of stopping at the
   * first.
   */
  private static final class Fields {
    private final JsonObject body;
    private final List<FieldError> errors = new ArrayList<>();

    /**
     * A null body (JSON {@code null}, or a command without one) is one error, not an NPE and no
     * reply.
     */
    Fields(JsonObject body) {
      if (body == null) throw Problem.validation("body", "must be a JSON object");
      this.body = body;
    }

    void error(String field, String message) {
      errors.add(new FieldError(field, message));
    }

    void throwIfInvalid() {
      if (!errors.isEmpty()) throw Problem.validation(errors);
    }

    private Object value(String field, boolean required) {
      Object v = body.getValue(field);
      if (v == null && required) error(field, "is required");
      return v;
    }

    UUID uuid(String field, boolean required) {
      Object v = value(field, required);
      if (v == null) return null;
      if (v instanceof String s && s.length() == 36) {
        try {
          return UUID.fromString(s);
        } catch (IllegalArgumentException ignored) {
          // reported below
        }
      }
      error(field, "must be a UUID string");
      return null;
    }

    String oneOf(String field, Set<String> allowed, boolean required) {
      Object v = value(field, required);
      if (v == null) return null;
      if (v instanceof String s && allowed.contains(s)) return s;
      error(field, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
      return null;
    }

    String text(String field, int maxLength, boolean required, boolean blankAllowed) {
      Object v = value(field, required);
      if (v == null) return null;
      if (!(v instanceof String s)) {
        error(field, "must be a string");
        return null;
      }
      if (s.isBlank() && !blankAllowed) {
        error(field, "must not be blank");
        return null;
      }
      if (s.length() > maxLength) {
        error(field, "must be at most " + maxLength + " characters");
        return null;
      }
      String refusal = StoredText.refusal(s);
      if (refusal != null) {
        error(field, refusal);
        return null;
      }
      return s;
    }

    String ip(String field, boolean required) {
      Object v = value(field, required);
      if (v == null) return null;
      if (v instanceof String s) {
        String t = s.trim();
        if (NetUtil.isValidIpV4Address(t) || (NetUtil.isValidIpV6Address(t) && !t.contains("%")))
          return t;
      }
      error(field, "must be an IPv4 or IPv6 address");
      return null;
    }

    Boolean bool(String field) {
      Object v = value(field, false);
      if (v == null) return null;
      if (v instanceof Boolean b) return b;
      error(field, "must be true or false");
      return null;
    }

    Long integer(String field, long max) {
      Object v = value(field, false);
      if (v == null) return null;
      if (v instanceof Number n && isIntegral(n)) {
        long l = n.longValue();
        if (l < 0) {
          error(field, "must not be negative");
          return null;
        }
        if (l > max) {
          error(field, "must be at most " + max);
          return null;
        }
        return l;
      }
      error(field, "must be an integer");
      return null;
    }

    private static boolean isIntegral(Number n) {
      if (n instanceof Integer || n instanceof Long || n instanceof Short) return true;
      double d = n.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 9e15;
    }

    Double number(String field, double max) {
      Object v = value(field, false);
      if (v == null) return null;
      if (v instanceof Number n) {
        double d = n.doubleValue();
        if (Double.isNaN(d) || d < 0) {
          error(field, "must not be negative");
          return null;
        }
        if (d > max) {
          error(field, "must be at most " + (long) max);
          return null;
        }
        return d;
      }
      error(field, "must be a number");
      return null;
    }

    Instant instant(String field) {
      Object v = value(field, false);
      if (v == null) return null;
      if (v instanceof String s) {
        try {
          return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
          // reported below
        }
      }
      error(field, "must be an RFC 3339 date-time with offset, e.g. 2026-01-31T20:15:00Z");
      return null;
    }
  }
}
