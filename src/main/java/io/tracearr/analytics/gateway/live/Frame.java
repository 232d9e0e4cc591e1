package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.bus.Addresses;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One server → dashboard frame {@code {"type", "ts", "data"}}, encoded to UTF-8 once and written to
 * any number of sockets: every socket's frame wraps the same bytes, so a delta costs one encoding
 * per event whatever the audience, and sockets queueing the same frame share its bytes.
 */
public final class Frame {

  /**
   * Frames up to this size go out whole from the shared bytes (the gateway's
   * maxWebSocketFrameSize).
   */
  static final int MAX_SINGLE_FRAME_BYTES = VertxInternals.MAX_FRAGMENT_BYTES;

  static final String SESSION_UPDATED = "session.updated";

  private final String type;
  private final Topic topic;
  private final String userId;
  private final byte[] utf8;
  private final int wireSize;

  private Frame(String type, String userId, byte[] utf8) {
    this.type = type;
    this.topic = Topic.ofFrameType(type);
    this.userId = userId;
    this.utf8 = utf8;
    this.wireSize = VertxInternals.wireSize(utf8.length);
  }

  public static Frame of(String type, JsonObject data) {
    JsonObject frame =
        new JsonObject().put("type", type).put("ts", Instant.now().toString()).put("data", data);
    Object user = data == null ? null : data.getValue("user_id");
    return new Frame(type, user instanceof String s ? s : null, frame.toBuffer().getBytes());
  }

  /**
   * A frame whose data is already encoded JSON ({@code data} must be a JSON value): a snapshot of
   * every open session is written straight into bytes instead of being built as objects first.
   */
  public static Frame ofEncoded(String type, io.vertx.core.buffer.Buffer data) {
    io.vertx.core.buffer.Buffer frame =
        io.vertx.core.buffer.Buffer.buffer(data.length() + 96)
            .appendString("{\"type\":")
            .appendString(io.vertx.core.json.Json.encode(type))
            .appendString(",\"ts\":\"")
            .appendString(Instant.now().toString())
            .appendString("\",\"data\":")
            .appendBuffer(data)
            .appendString("}");
    return new Frame(type, null, frame.getBytes());
  }

  /**
   * The start of a frame whose data is appended to the returned buffer, to be finished with "}" by
   * {@link #ofWhole}: for the snapshot, written once, straight from the rows.
   */
  static io.vertx.core.buffer.Buffer encodedPrefix(String type, int expectedBytes) {
    return io.vertx.core.buffer.Buffer.buffer(expectedBytes + 96)
        .appendString("{\"type\":")
        .appendString(io.vertx.core.json.Json.encode(type))
        .appendString(",\"ts\":\"")
        .appendString(Instant.now().toString())
        .appendString("\",\"data\":");
  }

  /** The frame begun by {@link #encodedPrefix}, its data appended: closes it. */
  static Frame ofWhole(String type, io.vertx.core.buffer.Buffer begun) {
    begun.appendString("}");
    return new Frame(type, null, begun.getBytes());
  }

  /** A reply of the ingest channel: not an event, written to the one socket that asked. */
  static Frame reply(byte[] utf8) {
    return new Frame("reply", null, utf8);
  }

  /**
   * The frame of a cluster-wide event: {@code events.session.started} → {@code session.started}.
   */
  public static Frame event(String eventAddress, JsonObject data) {
    return of(Addresses.frameType(eventAddress), data);
  }

  public String type() {
    return type;
  }

  public Topic topic() {
    return topic;
  }

  /**
   * The user the frame is about (sessions, alerts), for {@code user}-role sockets; null otherwise.
   */
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
      // Vert.x's own writeTextMessage wraps the bytes the same way; doing it here shares them
      // across sockets
      ws.writeFrame(VertxInternals.sharedTextFrame(utf8));
    } else {
      ws.writeTextMessage(text());
    }
  }

  /**
   * Bytes of this frame on the wire, as a server sends it (unmasked, no extension bits), in
   * fragments of at most {@link #MAX_SINGLE_FRAME_BYTES} as Vert.x's own {@code writeTextMessage}
   * splits it. The same for every socket, which is what lets {@link Outbox} write a socket's frames
   * with one copy each.
   */
  int wireSize() {
    return wireSize;
  }

  /** The encoded frame, shared: never to be changed. */
  byte[] utf8() {
    return utf8;
  }

  public String text() {
    return new String(utf8, StandardCharsets.UTF_8);
  }
}
