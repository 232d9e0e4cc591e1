package io.tracearr.analytics.notify;

import io.tracearr.analytics.api.Problem.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a request body's fields and collects one error per bad field, so a 400 names them all at
 * once instead of one per round trip. Field names in the errors are the JSON names, with a prefix
 * for nested objects ({@code quiet_hours.timezone}).
 */
final class FieldReader {

  private final JsonObject body;
  private final String prefix;
  private final List<FieldError> errors;

  FieldReader(JsonObject body) {
    this(body, "", new ArrayList<>());
  }

  private FieldReader(JsonObject body, String prefix, List<FieldError> errors) {
    this.body = body == null ? new JsonObject() : body;
    this.prefix = prefix;
    this.errors = errors;
  }

  /**
   * A reader of a nested object that reports into the same error list; null when absent or null.
   */
  FieldReader nested(String field) {
    Object value = body.getValue(field);
    if (value == null) return null;
    if (!(value instanceof JsonObject obj)) {
      error(field, "must be an object");
      return null;
    }
    return new FieldReader(obj, prefix + field + ".", errors);
  }

  boolean has(String field) {
    return body.getValue(field) != null;
  }

  void error(String field, String message) {
    errors.add(new FieldError(prefix + field, message));
  }

  List<FieldError> errors() {
    return errors;
  }

  /** A non-blank string, or null after recording "is required" / "must be a string". */
  String requiredString(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      error(field, "is required");
      return null;
    }
    if (!(value instanceof String s)) {
      error(field, "must be a string");
      return null;
    }
    if (s.isBlank()) {
      error(field, "must not be blank");
      return null;
    }
    return s.strip();
  }

  /** The string, {@code fallback} when absent, or null after recording an error. */
  String optionalString(String field, String fallback) {
    Object value = body.getValue(field);
    if (value == null) return fallback;
    if (!(value instanceof String s)) {
      error(field, "must be a string");
      return null;
    }
    return s.isBlank() ? fallback : s.strip();
  }

  /** A string or a whole number, as text (Telegram chat ids are either). */
  String requiredStringOrInteger(String field) {
    Object value = body.getValue(field);
    if (value instanceof Integer || value instanceof Long) return value.toString();
    if (value == null || value instanceof String) return requiredString(field);
    error(field, "must be a string or an integer");
    return null;
  }

  boolean bool(String field, boolean fallback) {
    Object value = body.getValue(field);
    if (value == null) return fallback;
    if (value instanceof Boolean b) return b;
    error(field, "must be true or false");
    return fallback;
  }

  Integer integer(String field, int fallback, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) return fallback;
    if (!(value instanceof Integer || value instanceof Long)) {
      error(field, "must be an integer");
      return null;
    }
    long n = ((Number) value).longValue();
    if (n < min || n > max) {
      error(field, "must be between " + min + " and " + max);
      return null;
    }
    return (int) n;
  }

  /** Strings of an array; a single string counts as a one-element array. Null when absent. */
  List<String> stringList(String field) {
    Object value = body.getValue(field);
    if (value == null) return null;
    if (value instanceof String s) return List.of(s.strip());
    if (!(value instanceof JsonArray arr)) {
      error(field, "must be an array of strings");
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      if (!(arr.getValue(i) instanceof String s) || s.isBlank()) {
        error(field + "[" + i + "]", "must be a non-blank string");
        continue;
      }
      out.add(s.strip());
    }
    return out;
  }

  /**
   * An absolute http(s) URL with a host. Redirects are not followed when delivering, so the URL
   * must be the receiver's own; other schemes (file:, ftp:) would let a channel read or reach what
   * it should not.
   */
  String httpUrl(String field, String fallback) {
    String text = fallback == null ? requiredString(field) : optionalString(field, fallback);
    if (text == null) return null;
    if (!isHttpUrl(text)) {
      error(field, "must be an http(s) URL");
      return null;
    }
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && !uri.getHost().isBlank();
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
