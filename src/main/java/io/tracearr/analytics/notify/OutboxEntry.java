package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * One event as the outbox stores it: its key (unique per channel, so the same event never becomes
 * two deliveries on one channel, however many nodes or sweeps write it) and the event with its
 * words, stored as the delivery's {@code payload} so that every later attempt renders exactly the
 * same message.
 */
record OutboxEntry(String key, NotificationEvent event) {

  /**
   * Keys name the fact, not the message: an alert is raised once; each update is its own fact (its
   * updated_at); a session starts once; a device is new once per user.
   */
  static String alertKey(EventType type, JsonObject alert) {
    String id = alert.getString("id");
    return switch (type) {
      case ALERT_RAISED -> "alert:" + id + ":raised";
      case ALERT_UPDATED -> "alert:" + id + ":updated:" + alert.getString("updated_at");
      case ALERT_DISMISSED -> "alert:" + id + ":dismissed";
      default -> throw new IllegalArgumentException(type + " is not an alert event");
    };
  }

  /**
   * When the alert fact happened: raised at creation, updated and dismissed at the row's last
   * change.
   */
  static Instant alertOccurredAt(EventType type, JsonObject alert) {
    String at =
        switch (type) {
          case ALERT_RAISED -> alert.getString("created_at");
          case ALERT_DISMISSED ->
              alert.getString("dismissed_at") != null
                  ? alert.getString("dismissed_at")
                  : alert.getString("updated_at");
          default -> alert.getString("updated_at");
        };
    return at == null ? Instant.now() : Instant.parse(at);
  }

  static String sessionKey(EventType type, JsonObject session) {
    return switch (type) {
      case SESSION_STARTED -> "session:" + session.getString("id") + ":started";
      case SESSION_TERMINATED -> "session:" + session.getString("id") + ":terminated";
      case DEVICE_NEW -> "device:" + session.getString("user_id") + ":" + deviceKey(session);
      default -> throw new IllegalArgumentException(type + " is not a session event");
    };
  }

  /**
   * The media-server concern's payload is its own; a transition is identified by the server and the
   * time it names, falling back to the whole body (the same publication read twice gives the same
   * key).
   */
  static String mediaServerKey(EventType type, JsonObject server) {
    Object id =
        server.getValue("id") != null ? server.getValue("id") : server.getValue("server_id");
    Object at =
        server.getValue("changed_at") != null
            ? server.getValue("changed_at")
            : server.getValue("since");
    String fact =
        id != null && at != null
            ? id + ":" + at
            : UUID.nameUUIDFromBytes(server.encode().getBytes()).toString();
    return "media_server:" + type.wireName() + ":" + fact;
  }

  static String deviceKey(JsonObject session) {
    String key = session.getString("device_key");
    if (key != null) return key;
    return session.getString("device_id") != null
        ? session.getString("device_id")
        : String.valueOf(session.getString("device_name"));
  }

  JsonObject payload() {
    return new JsonObject()
        .put("severity", event.severity() == null ? null : event.severity().wireName())
        .put("what", event.what())
        .put("who", event.who())
        .put("where", event.where())
        .put("why", event.why())
        .put("data", event.data());
  }

  /** The event back from a delivery row, as it was when the outbox row was written. */
  static NotificationEvent fromPayload(EventType type, Instant occurredAt, JsonObject payload) {
    Severity severity =
        payload.getString("severity") == null
            ? null
            : Severity.fromWireName(payload.getString("severity")).orElse(null);
    return new NotificationEvent(
        type,
        occurredAt,
        severity,
        payload.getJsonObject("data", new JsonObject()),
        payload.getString("what", type.wireName()),
        payload.getString("who"),
        payload.getString("where"),
        payload.getString("why"));
  }
}
