package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.bus.Addresses;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One server → dashboard frame {@code {"type", "ts", "data"}}, encoded to UTF-8 once and written to any
 * number of sockets: every socket's frame wraps the same bytes, so a delta costs one encoding per event
 * whatever the audience, and sockets queueing the same frame share its bytes.
 */
public final class Frame {

  /** Frames up to this size go out whole from the shared bytes (the gateway's maxWebSocketFrameSize). */
  static final int MAX_SINGLE_FRAME_BYTES = 65536;
  static final String SESSION_UPDATED = "session.updated";

  private final String type;
  private final Topic topic;
  private final String userId;
  private final byte[] utf8;

  private Frame(String type, String userId, byte[] utf8) {
    this.type = type;
    this.topic = Topic.ofFrameType(type);
    this.userId = userId;
    this.utf8 = utf8;
  }

  public static Frame of(String type, JsonObject data) {
    JsonObject frame = new JsonObject().put("type", type).put("ts", Instant.now().toString()).put("data", data);
    Object user = data == null ? null : data.getValue("user_id");
    return new Frame(type, user instanceof String s ? s : null, frame.toBuffer().getBytes());
  }

  /** The frame of a cluster-wide event: {@code events.session.started} → {@code session.started}. */
  public static Frame event(String eventAddress, JsonObject data) {
    return of(Addresses.frameType(eventAddress), data);
  }

  public String type() {
    return type;
  }

  public Topic topic() {
    return topic;
  }

  /** The user the frame is about (sessions, alerts), for {@code user}-role sockets; null otherwise. */
  public String userId() {
    return userId;
  }

  public int size() {
    return utf8.length;
  }

  /** A later update of the same session or its end supersedes it, so a slow reader may miss it. */
  public boolean droppable() {
    return SESSION_UPDATED.equals(type);
  }

  void writeTo(WebSocketBase ws) {
    if (utf8.length <= MAX_SINGLE_FRAME_BYTES) {
      // Vert.x's own writeTextMessage wraps the bytes the same way; doing it here shares them across sockets
      ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true));
    } else {
      ws.writeTextMessage(text());
    }
  }

  public String text() {
    return new String(utf8, StandardCharsets.UTF_8);
  }
}
