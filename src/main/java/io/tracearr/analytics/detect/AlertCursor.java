package io.tracearr.analytics.detect;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Keyset position in the alert list: the (created_at, id) of the last alert of the previous page. */
public record AlertCursor(Instant createdAt, UUID id) {

  public static AlertCursor of(JsonObject alert) {
    return new AlertCursor(Instant.parse(alert.getString("created_at")), UUID.fromString(alert.getString("id")));
  }

  public String encode() {
    String raw = createdAt + "|" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** @throws Problem 400 naming {@code before} when the text is not a cursor this service returned */
  public static AlertCursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new AlertCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw Problem.validation("before", "is not a cursor this service returned");
    }
  }
}
