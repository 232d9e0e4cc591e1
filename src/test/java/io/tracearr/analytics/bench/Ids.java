package io.tracearr.analytics.bench;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Session and user ids of the harness: deterministic per (group, index) so that wrk's Lua scripts
 * ({@code bench/heartbeat.lua}) address the very sessions the Java client started. Keep the formats
 * in step.
 */
final class Ids {

  /** The heartbeat body of every heartbeat scenario, REST (heartbeat.lua) and WebSocket alike. */
  static final String HEARTBEAT_FIELDS =
      "\"status\":\"playing\",\"position_seconds\":120.5,\"bandwidth_kbps\":8000";

  static final String HEARTBEAT_BODY = "{" + HEARTBEAT_FIELDS + "}";

  static final int GROUP_HEARTBEAT = 1;
  static final int GROUP_MEMORY = 2;

  private Ids() {}

  static String session(int group, int index) {
    return String.format("%08x-0000-4000-8000-%012x", group, index);
  }

  static String user(int group, int index) {
    return String.format("%08x-0000-4000-9000-%012x", group, index);
  }

  /** A start body with one user per session, so no sharing rule fires. */
  static JsonObject start(String sessionId, String userId, int device) {
    return new JsonObject()
        .put("id", sessionId)
        .put("user_id", userId)
        .put("content_type", "movie")
        .put("content_id", String.format("00000000-0000-4000-c000-%012x", device % 5000))
        .put("content_title", "Bench Movie " + (device % 5000))
        .put("client_name", "Bench Client")
        .put("device_name", "Bench Device " + device)
        .put("device_id", "bench-device-" + device)
        .put("ip_address", "203.0.113." + (1 + device % 250))
        .put("bandwidth_kbps", 8000)
        .put("resolution", "1080p");
  }

  static String random() {
    return UUID.randomUUID().toString();
  }
}
