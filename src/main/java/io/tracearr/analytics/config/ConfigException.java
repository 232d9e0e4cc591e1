package io.tracearr.analytics.config;

/**
 * An invalid setting. The message is the one line an operator sees before the process exits: the
 * key, the value and what is allowed, never a stack trace.
 */
public final class ConfigException extends RuntimeException {

  public ConfigException(String key, Object value, String allowed) {
    super(
        "invalid configuration: " + key + " = " + render(value) + " (" + allowed + ")",
        null,
        false,
        false);
  }

  public ConfigException(String message) {
    super(message, null, false, false);
  }

  private static String render(Object value) {
    if (value == null) return "<missing>";
    if (value instanceof String s) return '"' + s + '"';
    return String.valueOf(value);
  }
}
