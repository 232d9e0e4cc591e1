package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.SharedJson;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * One ingest connection: each message {@code {"op", "ref", ...fields}} becomes the very command the
 * REST door sends to the local session registry, and its reply comes back as {@code {"ref",
 * "status", "session", "error"}} with the status the REST call would have answered. A bad message
 * gets an error reply, never a disconnect. Reading pauses while {@value #MAX_IN_FLIGHT} commands
 * are outstanding or the replies are not being read, so a fast client cannot make the node queue
 * without bound.
 *
 * <p>Replies are not written one by one: those that come back in the same turn of the event loop
 * wait in an {@link Outbox} and go out with one flush (Vert.x flushes every write made outside a
 * read, one syscall per reply; bench/run scenario 8).
 */
public final class IngestConnection {

  static final int MAX_IN_FLIGHT = 256;
  private static final int RESUME_AT = MAX_IN_FLIGHT / 2;
  private static final DeliveryOptions COMMAND = SharedJson.command(10_000);

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final Consumer<IngestConnection> onClosed;

  /** null when the channel is not on this event loop: replies then go through Vert.x one by one */
  private final Outbox outbox;

  private final int flushNowBytes;
  private int inFlight;

  /** sessions started or heartbeated over this socket and not ended: where a terminate goes */
  private final CarriedSessions carried = new CarriedSessions(MAX_CARRIED);

  private boolean paused;
  private boolean closed;

  public IngestConnection(
      Vertx vertx,
      WebSocketDoor.Upgraded upgraded,
      int writeQueueMaxBytes,
      Consumer<IngestConnection> onClosed) {
    this.vertx = vertx;
    this.ws = upgraded.ws();
    this.onClosed = onClosed;
    this.outbox = Outbox.of(upgraded.connection());
    this.flushNowBytes = Math.max(1, writeQueueMaxBytes / 4);
    ws.setWriteQueueMaxSize(writeQueueMaxBytes);
  }

  public void open() {
    TextMessages.install(
        ws,
        this::onText,
        () -> reply(null, Problem.validation("message", "must be a JSON text message")));
    ws.drainHandler(v -> flow());
    ws.closeHandler(
        v -> {
          closed = true;
          onClosed.accept(this);
        });
  }

  public void ping() {
    if (!closed && !queueFull()) ws.writePing(Buffer.buffer("ingest"));
  }

  public void close(short code, String reason) {
    if (closed) return;
    flushReplies();
    ws.close(code, reason);
  }

  /** Whether session {@code id} was started or heartbeated over this socket and not ended. */
  public boolean carries(String id) {
    return carried.contains(id);
  }

  /**
   * The server-to-client message that stops a session (issue 15): {@code {"op": "terminate", "id",
   * "reason"}}; the client stops playback. The session is ended by the registry, not by the client.
   */
  public void terminate(String id, String reason) {
    carried.remove(id);
    write(new JsonObject().put("op", "terminate").put("id", id).put("reason", reason));
    flushReplies();
  }

  private void onText(String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      reply(null, Problem.validation("message", "is not valid JSON"));
      return;
    }
    if (!(parsed instanceof JsonObject msg)) {
      reply(null, Problem.validation("message", "must be a JSON object"));
      return;
    }
    Object ref = msg.getValue("ref");
    if (ref != null && !(ref instanceof String) && !(ref instanceof Number)) {
      reply(null, Problem.validation("ref", "must be a string or a number"));
      return;
    }
    // the parsed message is this connection's own: what is left after op and ref is the command's
    // body
    Object op = msg.remove("op");
    msg.remove("ref");
    JsonObject body = msg;
    if ("start".equals(op)) {
      command(ref, Addresses.SESSIONS_START, new JsonObject().put("body", body));
      return;
    }
    if (!"heartbeat".equals(op) && !"end".equals(op)) {
      reply(ref, Problem.validation("op", "must be one of: start, heartbeat, end"));
      return;
    }
    Object id = body.remove("id");
    if (id == null) {
      reply(ref, Problem.validation("id", "is required"));
    } else if (!(id instanceof String)) {
      reply(ref, Problem.validation("id", "must be a UUID"));
    } else {
      String address =
          "heartbeat".equals(op) ? Addresses.SESSIONS_HEARTBEAT : Addresses.SESSIONS_END;
      command(ref, address, new JsonObject().put("id", id).put("body", body));
    }
  }

  private void command(Object ref, String address, JsonObject cmd) {
    inFlight++;
    flow();
    vertx
        .eventBus()
        .<JsonObject>request(address, cmd, COMMAND)
        .onComplete(
            ar -> {
              inFlight--;
              if (ar.succeeded()) {
                JsonObject r = ar.result().body();
                track(address, cmd, r);
                write(
                    new JsonObject()
                        .put("ref", ref)
                        .put("status", r.getInteger("status"))
                        .put("session", r.getJsonObject("session"))
                        .put("error", r.getJsonObject("problem")));
              } else {
                reply(ref, Problem.unavailable("The session registry did not answer in time"));
              }
              flow();
            });
  }

  private void track(String address, JsonObject cmd, JsonObject reply) {
    Integer status = reply.getInteger("status");
    if (status == null || status >= 300) return;
    if (address.equals(Addresses.SESSIONS_END)) {
      carried.remove(cmd.getString("id"));
    } else if (address.equals(Addresses.SESSIONS_START)) {
      JsonObject session = reply.getJsonObject("session");
      if (session != null && session.getString("ended_at") == null)
        carried.add(session.getString("id"));
    } else {
      carried.add(cmd.getString("id"));
    }
  }

  /** bounds the set for a client that heartbeats sessions it never ends (the reaper ends them) */
  static final int MAX_CARRIED = 10_000;

  private void reply(Object ref, Problem p) {
    write(
        new JsonObject()
            .put("ref", ref)
            .put("status", p.status())
            .put("session", null)
            .put("error", p.toJson()));
    flow();
  }

  private void write(JsonObject reply) {
    if (closed) return;
    if (outbox == null) {
      ws.writeTextMessage(reply.encode());
      return;
    }
    boolean first = outbox.isEmpty();
    outbox.add(Frame.reply(reply.toBuffer().getBytes()));
    if (outbox.bytes() >= flushNowBytes) {
      flushReplies();
    } else if (first) {
      // after the replies already queued on this event loop, so that they share the flush
      vertx.runOnContext(
          v -> {
            flushReplies();
            flow();
          });
    }
  }

  private void flushReplies() {
    if (outbox == null || outbox.isEmpty()) return;
    // after the peer's close frame was answered nothing may follow (Vert.x refuses such writes too)
    if (ws.isClosed()) outbox.clear();
    else outbox.flush();
  }

  private void flow() {
    if (closed) return;
    boolean full = queueFull();
    if (!paused && (inFlight >= MAX_IN_FLIGHT || full)) {
      paused = true;
      ws.pause();
    } else if (paused && inFlight <= RESUME_AT && !full) {
      paused = false;
      ws.resume();
    }
  }

  private boolean queueFull() {
    if (outbox != null) return outbox.full();
    try {
      return ws.writeQueueFull();
    } catch (IllegalStateException closedMeanwhile) {
      return true;
    }
  }
}
