package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An alert's evidence in the words a person judges it by: the same sentences the dashboard shows
 * (webroot/describe.js), so a notification and the screen it links to agree.
 */
final class AlertWords {

  private AlertWords() {}

  static JsonObject evidence(JsonObject alert) {
    Object ev = alert.getValue("evidence");
    if (ev instanceof JsonObject obj) return obj;
    if (ev instanceof String text) {
      try {
        return new JsonObject(text);
      } catch (RuntimeException e) {
        return new JsonObject();
      }
    }
    return new JsonObject();
  }

  /** "2 streams 5 818 km apart: Paris, FR ↔ Syracuse, US" and the like. */
  static String why(JsonObject alert) {
    JsonObject ev = evidence(alert);
    String type = alert.getString("alert_type", "");
    switch (type) {
      case "geo_impossible":
        {
          List<String> places = places(ev);
          int n = places.isEmpty() ? size(ev.getValue("session_ids"), 2) : places.size();
          return n
              + " streams "
              + number(ev.getValue("distance_km"))
              + " km apart"
              + (places.isEmpty() ? "" : ": " + String.join(" ↔ ", places))
              + limit(ev.getValue("threshold_km"), " km");
        }
      case "concurrent_streams":
        return number(firstNonNull(ev.getValue("count"), size(ev.getValue("devices"), -1)))
            + " devices streaming at once"
            + limit(ev.getValue("threshold"), "");
      case "impossible_travel":
        {
          List<String> places = places(ev);
          String route =
              places.size() >= 2
                  ? places.get(0) + " → " + places.get(places.size() - 1) + ": "
                  : "";
          return route
              + number(ev.getValue("distance_km"))
              + " km in "
              + hours(ev.getValue("hours"))
              + " ("
              + number(ev.getValue("speed_kmh"))
              + " km/h"
              + limitInline(ev.getValue("threshold_kmh"), " km/h")
              + ")";
        }
      case "device_spike":
        return number(firstNonNull(ev.getValue("count"), size(ev.getValue("new_devices"), -1)))
            + " new devices in "
            + number(firstNonNull(ev.getValue("window_hours"), 24))
            + " h"
            + limit(ev.getValue("threshold"), "");
      default:
        return ev.isEmpty() ? "No evidence recorded" : ev.encode();
    }
  }

  /** "Paris, FR ↔ Syracuse, US", or null when the evidence names no place. */
  static String where(JsonObject alert) {
    List<String> places = places(evidence(alert));
    return places.isEmpty() ? null : String.join(" ↔ ", places);
  }

  static List<String> places(JsonObject ev) {
    List<String> out = new ArrayList<>();
    JsonArray locations = ev.getValue("locations") instanceof JsonArray a ? a : new JsonArray();
    for (Object l : locations) {
      if (l instanceof JsonObject loc) {
        String place = place(loc);
        if (place != null) out.add(place);
      }
    }
    return out;
  }

  static String place(JsonObject loc) {
    if (loc == null) return null;
    List<String> parts = new ArrayList<>();
    if (loc.getValue("city") instanceof String c && !c.isBlank()) parts.add(c);
    if (loc.getValue("country") instanceof String c && !c.isBlank()) parts.add(c);
    return parts.isEmpty() ? null : String.join(", ", parts);
  }

  /** Device names or keys, whichever the evidence carries. */
  static List<String> devices(JsonObject ev) {
    Object raw =
        ev.getValue("devices") != null ? ev.getValue("devices") : ev.getValue("new_devices");
    List<String> out = new ArrayList<>();
    if (raw instanceof JsonArray arr) {
      for (Object d : arr) {
        if (d instanceof String s) {
          out.add(s);
        } else if (d instanceof JsonObject o) {
          out.add(
              Objects.toString(
                  firstNonNull(
                      o.getValue("device_name"), firstNonNull(o.getValue("device_key"), "?"))));
        }
      }
    }
    return out;
  }

  static List<String> ipAddresses(JsonObject ev) {
    List<String> out = new ArrayList<>();
    if (ev.getValue("ip_addresses") instanceof JsonArray arr)
      arr.forEach(ip -> out.add(String.valueOf(ip)));
    return out;
  }

  /** "5 818 km", or null when there is no distance. */
  static String distance(JsonObject ev) {
    Object km = ev.getValue("distance_km");
    return km instanceof Number ? number(km) + " km" : null;
  }

  /** Thin-space-free grouping as the dashboard shows it ("5 818", "12.5"). */
  static String number(Object value) {
    if (!(value instanceof Number n)) return "?";
    BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
    String plain = d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    String[] parts = plain.split("\\.");
    String whole = parts[0];
    boolean negative = whole.startsWith("-");
    if (negative) whole = whole.substring(1);
    StringBuilder grouped = new StringBuilder();
    for (int i = 0; i < whole.length(); i++) {
      if (i > 0 && (whole.length() - i) % 3 == 0) grouped.append(' ');
      grouped.append(whole.charAt(i));
    }
    return (negative ? "-" : "") + grouped + (parts.length > 1 ? "." + parts[1] : "");
  }

  private static String hours(Object value) {
    if (!(value instanceof Number n)) return "? h";
    double h = n.doubleValue();
    if (h < 1) return Math.round(h * 60) + " min";
    return number(Math.round(h * 10) / 10.0) + " h";
  }

  private static String limit(Object threshold, String unit) {
    return threshold instanceof Number ? " (limit " + number(threshold) + unit + ")" : "";
  }

  private static String limitInline(Object threshold, String unit) {
    return threshold instanceof Number ? ", limit " + number(threshold) + unit : "";
  }

  private static int size(Object value, int fallback) {
    return value instanceof JsonArray a ? a.size() : fallback;
  }

  private static Object firstNonNull(Object a, Object b) {
    return a != null ? a : b;
  }
}
