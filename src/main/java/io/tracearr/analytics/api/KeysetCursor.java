package io.tracearr.analytics.api;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Keyset position in a list ordered by (a timestamp, id) descending: the values of the last row of
 * the previous page, opaque to clients (base64url of {@code timestamp|id}). Sessions page by {@code
 * started_at}, alerts by {@code created_at}; the SQL compares {@code (ts, id) < ($at, $id)}.
 */
public record KeysetCursor(Instant at, UUID id) {

  /** The cursor after {@code row}, whose ordering timestamp is the field {@code timeField}. */
  public static KeysetCursor after(JsonObject row, String timeField) {
    return new KeysetCursor(
        Instant.parse(row.getString(timeField)), UUID.fromString(row.getString("id")));
  }

  public String encode() {
    String raw = at + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The cursor named by the {@code before} parameter, or null when it is absent or empty.
   *
   * @throws Problem 400 naming {@code before} when the text is not a cursor this service returned
   */
  public static KeysetCursor decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) return null;
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new KeysetCursor(
          Instant.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw Problem.validation("before", "is not a cursor this service returned");
    }
  }
}
