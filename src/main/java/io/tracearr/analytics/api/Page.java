package io.tracearr.analytics.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of a keyset-paged list: {@code {"items": [...], "next_cursor": "..." | null}}.
 * Repositories are asked for {@code limit + 1} rows; the extra row only says that another page
 * exists.
 */
public final class Page {

  private Page() {}

  public static JsonObject of(List<JsonObject> rows, int limit, String timeField) {
    String next = null;
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      next = KeysetCursor.after(rows.get(limit - 1), timeField).encode();
    }
    return new JsonObject().put("items", new JsonArray(List.copyOf(rows))).put("next_cursor", next);
  }
}
