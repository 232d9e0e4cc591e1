package io.tracearr.analytics.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request body that is one flat JSON object (every value a string, number, boolean or null: a
 * heartbeat), read with Jackson's streaming parser straight from its bytes into a small {@link
 * JsonObject}. The generic path ({@code rc.body().asJsonObject()}: an InputStream over the buffer,
 * encoding detection, the data-binding mapper) was 7-10 % of the heartbeat path's CPU (issue 18,
 * docs/benchmarks.md). Anything else (a nested value, another root, malformed or trailing input)
 * answers null, and the caller parses the usual way, which also words the error.
 */
public final class FlatJson {

  /** as Vert.x's own codec: C-style comments are accepted */
  private static final JsonFactory FACTORY =
      new JsonFactory().configure(JsonParser.Feature.ALLOW_COMMENTS, true);

  private FlatJson() {}

  public static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0 || body.length() > 4096) return null;
    byte[] bytes = body.getBytes();
    try (JsonParser p = FACTORY.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      Map<String, Object> map = new LinkedHashMap<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        Object value;
        switch (p.nextToken()) {
          case VALUE_STRING -> value = p.getText();
          case VALUE_NUMBER_INT -> value = p.getNumberValue();
          case VALUE_NUMBER_FLOAT -> value = p.getDoubleValue();
          case VALUE_TRUE -> value = Boolean.TRUE;
          case VALUE_FALSE -> value = Boolean.FALSE;
          case VALUE_NULL -> value = null;
          default -> {
            return null;
          }
        }
        map.put(name, value);
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) return null;
      return new JsonObject(map);
    } catch (IOException | RuntimeException malformed) {
      return null;
    }
  }
}
