package io.tracearr.analytics.testing;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Request bodies for session tests. */
public final class SessionBodies {

  private SessionBodies() {}

  public static JsonObject start(UUID user, String deviceId, String ip) {
    return new JsonObject()
        .put("user_id", user.toString())
        .put("content_type", "episode")
        .put("content_id", UUID.randomUUID().toString())
        .put("content_title", "The Expanse S01E01")
        .put("client_name", "Web")
        .put("device_name", "Chrome on Linux")
        .put("device_id", deviceId)
        .put("ip_address", ip)
        .put("resolution", "1080p")
        .put("bandwidth_kbps", 8000);
  }

  public static JsonObject start(UUID user) {
    return start(user, "device-" + UUID.randomUUID(), "90.80.10.5");
  }
}
