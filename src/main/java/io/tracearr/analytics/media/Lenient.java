package io.tracearr.analytics.media;

import io.netty.util.NetUtil;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Typed reads of a server's JSON that never throw: a field of the wrong type reads as absent.
 * Servers differ by version (Plex sends some ids as strings, some as numbers), so the parsers take
 * what parses and skip the rest.
 */
final class Lenient {

  private Lenient() {}

  static JsonObject object(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof JsonObject j ? j : null;
  }

  static JsonArray array(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof JsonArray a ? a : null;
  }

  /**
   * A string, or a number rendered as an integer string (Plex ids come both ways). Blank reads as
   * absent.
   */
  static String text(JsonObject o, String key) {
    if (o == null) return null;
    Object v = o.getValue(key);
    if (v instanceof String s) return s.isBlank() ? null : s;
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()))
      return Long.toString(n.longValue());
    return null;
  }

  static Long integer(JsonObject o, String key) {
    if (o == null) return null;
    Object v = o.getValue(key);
    if (v instanceof Number n) return Double.isFinite(n.doubleValue()) ? n.longValue() : null;
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException ignored) {
        return null;
      }
    }
    return null;
  }

  static Integer int32(JsonObject o, String key) {
    Long l = integer(o, key);
    return l == null || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE ? null : l.intValue();
  }

  /** true/false, also Plex's 1/0 and "1"/"0" (its XML heritage). */
  static Boolean bool(JsonObject o, String key) {
    if (o == null) return null;
    Object v = o.getValue(key);
    if (v instanceof Boolean b) return b;
    if (v instanceof Number n) return n.intValue() != 0;
    if (v instanceof String s) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (t.equals("1") || t.equals("true")) return true;
      if (t.equals("0") || t.equals("false")) return false;
    }
    return null;
  }

  /**
   * An address literal the registry accepts, or null. Servers report {@code ::ffff:1.2.3.4} for
   * IPv4 clients on dual-stack sockets, and some proxies add a port or brackets; the bare address
   * is what geolocation needs.
   */
  static String ip(String raw) {
    if (raw == null) return null;
    String t = raw.trim();
    if (t.startsWith("[") && t.indexOf(']') > 0) t = t.substring(1, t.indexOf(']'));
    int colon = t.indexOf(':');
    if (colon > 0 && colon == t.lastIndexOf(':') && t.indexOf('.') > 0)
      t = t.substring(0, colon); // 1.2.3.4:5678
    if (t.toLowerCase(Locale.ROOT).startsWith("::ffff:")
        && NetUtil.isValidIpV4Address(t.substring(7))) {
      t = t.substring(7);
    }
    if (NetUtil.isValidIpV4Address(t)) return t;
    if (NetUtil.isValidIpV6Address(t) && !t.contains("%")) return t;
    return null;
  }

  static String truncate(String s, int max) {
    if (s == null || s.length() <= max) return s;
    int end = max;
    if (Character.isHighSurrogate(s.charAt(end - 1))) end--; // never split a surrogate pair
    return s.substring(0, end);
  }
}
