package io.tracearr.analytics.session;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * What a node's registry remembers of a session it has seen open: enough to answer a heartbeat
 * (404/409/204) without a read, to notice an IP change, and to hold its buffered heartbeats.
 * PostgreSQL stays the truth; an entry is dropped when the session ends anywhere in the cluster. It
 * also keeps the session's names (user name, item titles) as they were at its start or first sight
 * here, for its {@code session.updated} events: the heartbeat flush joins nothing (reads always
 * join).
 */
final class OpenSession {

  final UUID id;
  String status;

  /** the status of the last event published for it: a change makes its next update urgent */
  String publishedStatus;

  String ipAddress;
  int bandwidthKbps;
  Instant lastSeen;
  PendingHeartbeat pending;
  final String userName;
  final JsonObject content;

  OpenSession(UUID id, String status, String ipAddress, int bandwidthKbps, Instant lastSeen) {
    this(id, status, ipAddress, bandwidthKbps, lastSeen, null, null);
  }

  OpenSession(
      UUID id,
      String status,
      String ipAddress,
      int bandwidthKbps,
      Instant lastSeen,
      String userName,
      JsonObject content) {
    this.id = id;
    this.userName = userName;
    this.content = content;
    this.status = status;
    this.publishedStatus = status;
    this.ipAddress = ipAddress;
    this.bandwidthKbps = bandwidthKbps;
    this.lastSeen = lastSeen;
  }

  static OpenSession of(JsonObject session, Instant now) {
    return new OpenSession(
        UUID.fromString(session.getString("id")),
        session.getString("status"),
        session.getString("ip_address"),
        session.getInteger("bandwidth_kbps", 0),
        now,
        session.getString("user_name"),
        session.getJsonObject("content"));
  }
}
