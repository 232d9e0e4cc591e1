package io.tracearr.analytics.testing;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The audit log as an admin reads it. */
public final class AuditLog {

  private AuditLog() {}

  /** The newest 500 entries of {@code action} (an operationId), newest first. */
  public static List<JsonObject> entries(TestNode node, String action) {
    return node
        .get("/api/v1/analytics/audit?action=" + action + "&limit=500", TestNode.ADMIN_KEY)
        .bodyAsJsonObject()
        .getJsonArray("items")
        .stream()
        .map(o -> (JsonObject) o)
        .toList();
  }
}
