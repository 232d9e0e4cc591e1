package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * Something worth telling an operator about, with the words for it already chosen.
 *
 * @param severity the alert's severity; null for events that are not alerts (they pass every
 *     min_severity)
 * @param data the alert or session exactly as the REST API shows it (the webhook's {@code data})
 * @param what one line: what happened
 * @param who the user, by name where known
 * @param where places (and addresses) involved, or null
 * @param why the evidence in words, or null
 */
public record NotificationEvent(
    EventType type,
    Instant occurredAt,
    Severity severity,
    JsonObject data,
    String what,
    String who,
    String where,
    String why) {

  public NotificationEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(what, "what");
    data = data == null ? new JsonObject() : data.copy();
  }

  /**
   * An alert event from the alert's API JSON; {@code userName} may be null when the name is not
   * known.
   */
  public static NotificationEvent alert(
      EventType type, JsonObject alert, String userName, Instant occurredAt) {
    if (!type.isAlert()) throw new IllegalArgumentException(type + " is not an alert event");
    Severity severity =
        Severity.fromWireName(alert.getString("severity", "")).orElse(Severity.MEDIUM);
    String kind = alert.getString("alert_type", "alert").replace('_', ' ');
    String verb =
        switch (type) {
          case ALERT_RAISED -> "raised";
          case ALERT_UPDATED -> "updated";
          default -> "dismissed";
        };
    String what = capitalise(severity.wireName()) + " " + kind + " alert " + verb;
    String why = AlertWords.why(alert);
    if (type == EventType.ALERT_DISMISSED && alert.getString("dismiss_reason") != null) {
      why = why + "; dismissed: " + alert.getString("dismiss_reason");
    }
    return new NotificationEvent(
        type,
        occurredAt,
        severity,
        alert,
        what,
        who(userName, alert),
        AlertWords.where(alert),
        why);
  }

  /**
   * A session event ({@code session.started}, {@code session.terminated}, {@code device.new}) from
   * the session's API JSON; {@code reason} says why it matters (the termination reason, "first
   * session on this device").
   */
  public static NotificationEvent session(
      EventType type, JsonObject session, String userName, String reason, Instant occurredAt) {
    String title = session.getString("content_title");
    String device =
        session.getString("device_name") != null
            ? session.getString("device_name")
            : session.getString("device_key");
    String what =
        switch (type) {
          case SESSION_STARTED -> "Playback started" + (title == null ? "" : ": " + title);
          case SESSION_TERMINATED -> "Session terminated" + (title == null ? "" : ": " + title);
          case DEVICE_NEW -> "New device" + (device == null ? "" : ": " + device);
          default -> throw new IllegalArgumentException(type + " is not a session event");
        };
    String place =
        session.getValue("location") instanceof JsonObject loc ? AlertWords.place(loc) : null;
    String ip = session.getString("ip_address");
    String where = place == null ? ip : ip == null ? place : place + " (" + ip + ")";
    String on =
        device == null
            ? null
            : "on "
                + device
                + (session.getString("client_name") == null
                    ? ""
                    : " (" + session.getString("client_name") + ")");
    String why = reason == null ? on : on == null ? reason : reason + ", " + on;
    return new NotificationEvent(
        type, occurredAt, null, session, what, who(userName, session), where, why);
  }

  /** A media server went down or came back; {@code detail} says what was seen (timeout, status). */
  public static NotificationEvent mediaServer(
      EventType type, JsonObject server, String serverName, String detail, Instant occurredAt) {
    String what =
        switch (type) {
          case MEDIA_SERVER_DOWN -> "Media server down: " + serverName;
          case MEDIA_SERVER_UP -> "Media server back up: " + serverName;
          default -> throw new IllegalArgumentException(type + " is not a media server event");
        };
    return new NotificationEvent(type, occurredAt, null, server, what, null, null, detail);
  }

  /** The message {@code POST /notifications/channels/{id}/test} sends. */
  public static NotificationEvent test(String channelName, Instant occurredAt) {
    return new NotificationEvent(
        EventType.TEST,
        occurredAt,
        null,
        new JsonObject().put("channel", channelName),
        "Test notification",
        null,
        null,
        "Sent from the notification settings to check channel '" + channelName + "'");
  }

  /** The user the event is about (data.user_id), for the session.started user filter. */
  public String userId() {
    return data.getValue("user_id") instanceof String s ? s : null;
  }

  /** The alert's or session's id, when the data has one. */
  public String subjectId() {
    return data.getValue("id") instanceof String s ? s : null;
  }

  private static String who(String userName, JsonObject data) {
    if (userName != null && !userName.isBlank()) return userName;
    String id = data.getString("user_id");
    return id == null ? null : "user " + id;
  }

  private static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
