package io.tracearr.analytics.session;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Keyset position in a user's history: the (started_at, id) of the last row of the previous page. */
public record HistoryCursor(Instant startedAt, UUID id) {

  public static HistoryCursor of(JsonObject session) {
    return new HistoryCursor(Instant.parse(session.getString("started_at")), UUID.fromString(session.getString("id")));
  }

  public String encode() {
    String raw = startedAt.toString() + "|" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  public static HistoryCursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new HistoryCursor(Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw Problem.validation("before", "is not a cursor this service returned");
    }
  }
}
