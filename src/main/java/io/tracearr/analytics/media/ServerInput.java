package io.tracearr.analytics.media;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.Problem.FieldError;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation of a media server's fields, for {@code POST} (every required field) and {@code PATCH}
 * (only what is sent, over the stored row). Collects every field error, then throws one 400 {@link
 * Problem}. A token is never quoted in a message.
 */
final class ServerInput {

  static final int MAX_NAME = 100;
  static final int MAX_URL = 2000;
  static final int MAX_TOKEN = 1000;
  static final int DEFAULT_INTERVAL = 5;

  /** The fields of one server, validated; {@code url} without a trailing slash. */
  record Fields(
      String name,
      ServerType type,
      String url,
      String token,
      boolean enabled,
      int pollIntervalSeconds) {
    @Override
    public String toString() {
      return "Fields[name=" + name + ", type=" + type + ", url=" + url + ", token=<hidden>]";
    }
  }

  private ServerInput() {}

  static Fields create(JsonObject body) {
    List<FieldError> errors = new ArrayList<>();
    String name = name(body, true, errors);
    ServerType type = type(body, true, errors);
    String url = url(body, true, errors);
    String token = token(body, true, errors);
    Boolean enabled = bool(body, "enabled", errors);
    Integer interval = interval(body, errors);
    if (!errors.isEmpty()) throw Problem.validation(errors);
    return new Fields(
        name,
        type,
        url,
        token,
        enabled == null || enabled,
        interval == null ? DEFAULT_INTERVAL : interval);
  }

  /** The stored server with what {@code body} changes; {@code type} may be sent only unchanged. */
  static Fields patch(JsonObject body, MediaServerRepository.ServerRow current) {
    List<FieldError> errors = new ArrayList<>();
    String name = name(body, false, errors);
    ServerType type = type(body, false, errors);
    if (type != null && type != current.type()) {
      errors.add(new FieldError("type", "cannot be changed (delete the server and add it again)"));
    }
    String url = url(body, false, errors);
    String token = token(body, false, errors);
    Boolean enabled = bool(body, "enabled", errors);
    Integer interval = interval(body, errors);
    if (!errors.isEmpty()) throw Problem.validation(errors);
    return new Fields(
        name != null ? name : current.name(),
        current.type(),
        url != null ? url : current.url(),
        token != null ? token : current.token(),
        enabled != null ? enabled : current.enabled(),
        interval != null ? interval : current.pollIntervalSeconds());
  }

  private static String name(JsonObject body, boolean required, List<FieldError> errors) {
    Object v = body.getValue("name");
    if (v == null) {
      if (required) errors.add(new FieldError("name", "is required"));
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      errors.add(new FieldError("name", "must be a non-empty string"));
      return null;
    }
    if (s.strip().length() > MAX_NAME) {
      errors.add(new FieldError("name", "must be at most " + MAX_NAME + " characters"));
      return null;
    }
    return s.strip();
  }

  private static ServerType type(JsonObject body, boolean required, List<FieldError> errors) {
    Object v = body.getValue("type");
    if (v == null) {
      if (required) errors.add(new FieldError("type", "is required"));
      return null;
    }
    ServerType t = v instanceof String s ? ServerType.of(s).orElse(null) : null;
    if (t == null) errors.add(new FieldError("type", "must be one of emby, jellyfin, plex"));
    return t;
  }

  private static String url(JsonObject body, boolean required, List<FieldError> errors) {
    Object v = body.getValue("url");
    if (v == null) {
      if (required) errors.add(new FieldError("url", "is required"));
      return null;
    }
    String normalised = v instanceof String s ? normaliseUrl(s) : null;
    if (normalised == null)
      errors.add(
          new FieldError("url", "must be an http:// or https:// URL with a host, without query"));
    else if (normalised.length() > MAX_URL)
      errors.add(new FieldError("url", "must be at most " + MAX_URL + " characters"));
    else return normalised;
    return null;
  }

  /**
   * http(s), a host, no query or fragment; the trailing slash removed so paths append cleanly. Null
   * if not.
   */
  static String normaliseUrl(String raw) {
    String s = raw.strip();
    try {
      URI uri = new URI(s);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")))
        return null;
      if (uri.getHost() == null
          || uri.getHost().isBlank()
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) return null;
      if (uri.getRawUserInfo() != null)
        return null; // credentials belong in the token, not in a URL we show
    } catch (URISyntaxException e) {
      return null;
    }
    while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
    return s;
  }

  private static String token(JsonObject body, boolean required, List<FieldError> errors) {
    Object v = body.getValue("token");
    if (v == null) {
      if (required) errors.add(new FieldError("token", "is required"));
      return null;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      errors.add(new FieldError("token", "must be a non-empty string"));
      return null;
    }
    if (s.strip().length() > MAX_TOKEN) {
      errors.add(new FieldError("token", "must be at most " + MAX_TOKEN + " characters"));
      return null;
    }
    return s.strip();
  }

  private static Boolean bool(JsonObject body, String field, List<FieldError> errors) {
    Object v = body.getValue(field);
    if (v == null) return null;
    if (v instanceof Boolean b) return b;
    errors.add(new FieldError(field, "must be true or false"));
    return null;
  }

  private static Integer interval(JsonObject body, List<FieldError> errors) {
    Object v = body.getValue("poll_interval_seconds");
    if (v == null) return null;
    if (v instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() >= 1
        && n.doubleValue() <= 60) {
      return n.intValue();
    }
    errors.add(new FieldError("poll_interval_seconds", "must be an integer 1..60"));
    return null;
  }
}
