package io.tracearr.analytics.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/** Alert JSON shaped as the detector publishes it, and rows for the open-alerts query. */
public final class AlertFixtures {

  private AlertFixtures() {}

  /** A geo_impossible alert: Paris and Syracuse, 5 818 km apart. */
  public static JsonObject geoImpossible(UUID user) {
    JsonObject evidence =
        new JsonObject()
            .put("distance_km", 5818)
            .put("threshold_km", 500)
            .put(
                "session_ids",
                new JsonArray().add(UUID.randomUUID().toString()).add(UUID.randomUUID().toString()))
            .put(
                "locations",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("city", "Paris")
                            .put("country", "FR")
                            .put("latitude", 48.86)
                            .put("longitude", 2.35)
                            .put("accuracy_km", 10))
                    .add(
                        new JsonObject()
                            .put("city", "Syracuse")
                            .put("country", "US")
                            .put("latitude", 43.05)
                            .put("longitude", -76.15)
                            .put("accuracy_km", 10)))
            .put("ip_addresses", new JsonArray().add("90.80.10.5").add("24.24.24.5"));
    return alert(user, "geo_impossible", "high", evidence);
  }

  public static JsonObject alert(UUID user, String type, String severity, JsonObject evidence) {
    String now = Instant.now().toString();
    return new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("user_id", user.toString())
        .put("alert_type", type)
        .put("severity", severity)
        .put("evidence", evidence)
        .put("status", "open")
        .put("created_at", now)
        .put("updated_at", now)
        .put("occurrences", 1);
  }

  /**
   * The INSERT that makes the alert a real open row (what the open-alerts query and dismiss read).
   */
  public static String insertSql(JsonObject a) {
    return "INSERT INTO sharing_alerts (id, user_id, alert_type, severity, evidence, status) VALUES ('"
        + a.getString("id")
        + "', '"
        + a.getString("user_id")
        + "', '"
        + a.getString("alert_type")
        + "', '"
        + a.getString("severity")
        + "', '"
        + a.getJsonObject("evidence").encode().replace("'", "''")
        + "'::jsonb, 'open')";
  }
}
