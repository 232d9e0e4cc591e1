package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares what a renderer sends with a service's documented example (src/test/resources/notify):
 * every field we send must be one the example has, with the same JSON type, recursively. Array
 * elements of ours must each match some element of the documented array (Slack's blocks differ by
 * type).
 */
final class DocumentedShape {

  private DocumentedShape() {}

  static String resource(String name) {
    try (InputStream in = DocumentedShape.class.getResourceAsStream("/notify/" + name)) {
      if (in == null) throw new IllegalStateException("missing test resource notify/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject json(String name) {
    return new JsonObject(resource(name));
  }

  static void assertConforms(Object documented, Object ours) {
    List<String> problems = new ArrayList<>();
    check("$", documented, ours, problems);
    if (!problems.isEmpty())
      fail(
          "differs from the documented example:\n  "
              + String.join("\n  ", problems)
              + "\nours: "
              + ours);
  }

  private static void check(String path, Object doc, Object ours, List<String> problems) {
    if (ours == null) {
      problems.add(path + " is null");
      return;
    }
    if (!kind(doc).equals(kind(ours))) {
      problems.add(path + " is " + kind(ours) + ", documented as " + kind(doc));
      return;
    }
    if (doc instanceof JsonObject d) {
      JsonObject o = (JsonObject) ours;
      for (String key : o.fieldNames()) {
        if (!d.containsKey(key)) {
          problems.add(path + "." + key + " is not in the documented example");
        } else {
          check(path + "." + key, d.getValue(key), o.getValue(key), problems);
        }
      }
    } else if (doc instanceof JsonArray d && !d.isEmpty()) {
      JsonArray o = (JsonArray) ours;
      for (int i = 0; i < o.size(); i++) {
        List<String> best = null;
        for (Object candidate : d) {
          List<String> attempt = new ArrayList<>();
          check(path + "[" + i + "]", candidate, o.getValue(i), attempt);
          if (attempt.isEmpty()) {
            best = attempt;
            break;
          }
          if (best == null || attempt.size() < best.size()) best = attempt;
        }
        problems.addAll(best);
      }
    }
  }

  private static String kind(Object v) {
    if (v instanceof JsonObject) return "object";
    if (v instanceof JsonArray) return "array";
    if (v instanceof String) return "string";
    if (v instanceof Boolean) return "boolean";
    if (v instanceof Number) return "number";
    return v == null ? "null" : v.getClass().getSimpleName();
  }

  /** A raw HTTP request as the docs print it: request line, headers, blank line, body. */
  record HttpExample(String method, String path, Map<String, String> headers, String body) {
    static HttpExample parse(String text) {
      String[] parts = text.split("\n\n", 2);
      String[] lines = parts[0].split("\n");
      String[] requestLine = lines[0].split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
      return new HttpExample(
          requestLine[0], requestLine[1], headers, parts.length > 1 ? parts[1].strip() : "");
    }
  }

  /** {@code a=1&b=2} into an ordered map (values still encoded: only names are compared). */
  static Map<String, String> form(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : text.strip().split("&")) {
      int eq = pair.indexOf('=');
      out.put(
          java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
