package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.metrics.DomainMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * One dashboard connection: the protocol and the slow-reader guard. Which frames it gets is its
 * {@link Subscription}'s; the deltas held while its snapshot loads are its {@link
 * SnapshotBacklog}'s. Lives on the event loop of the gateway instance that accepted it, so its
 * state needs no locks.
 *
 * <p>Memory per socket is bounded whatever the reader does: Vert.x's write queue is capped at
 * {@code live.write_queue_max_bytes}; while it is full, {@code session.updated} frames are dropped
 * (a later update or the end supersedes them), other frames may add at most one more queue's worth
 * before the socket is closed, and a queue that stays full for {@code
 * live.slow_reader_close_seconds} closes the socket with 1013 — the client reconnects and gets a
 * fresh snapshot instead of a backlog.
 *
 * <p>Frames are not written one by one: they wait in an {@link Outbox} for the hub's next flush
 * tick ({@code live.flush_interval_ms}), so a broadcast costs one write and one flush per socket
 * and tick instead of one per frame. The frames waiting there count toward the write-queue bound.
 */
public final class DashboardSocket {

  public static final short CLOSE_POLICY = 1008;
  public static final short CLOSE_TRY_AGAIN = 1013;
  public static final short CLOSE_GOING_AWAY = 1001;
  static final int MAX_BAD_FRAMES = 20;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final Principal who;
  private final AppConfig.Live cfg;
  private final DomainMetrics metrics;
  private final Runnable cut;
  private final Consumer<DashboardSocket> onClosed;
  private final Consumer<DashboardSocket> flushLater;
  private final LiveMemory memory;

  /**
   * Null when the channel is not on this event loop: frames then go through Vert.x, flushed one by
   * one.
   */
  private final Outbox outbox;

  private final int flushNowBytes;
  private final Subscription subscription;

  /**
   * Deltas held while the snapshot loads ({@code live.snapshot_backlog_max}; past it the socket
   * resyncs instead of buffering more). Null once the snapshot went out.
   */
  private SnapshotBacklog backlog;

  private final Consumer<Frame> countDropped;
  private int badFrames;
  private long fullTimer = -1;
  private long overflowBytes;
  private boolean closing;
  private boolean closed;

  /**
   * {@code flushLater} is told when this socket has frames waiting and must call {@link #flush}
   * soon, on this event loop; it is told again only after that flush.
   */
  public DashboardSocket(
      Vertx vertx,
      WebSocketDoor.Upgraded upgraded,
      AppConfig.Live cfg,
      DomainMetrics metrics,
      LiveMemory memory,
      Consumer<DashboardSocket> onClosed,
      Consumer<DashboardSocket> flushLater) {
    this.vertx = vertx;
    this.ws = upgraded.ws();
    this.who = upgraded.who();
    this.cut = upgraded.cut();
    this.cfg = cfg;
    this.metrics = metrics;
    this.onClosed = onClosed;
    this.flushLater = flushLater;
    this.memory = memory;
    this.backlog = new SnapshotBacklog(cfg.snapshotBacklogMax());
    this.outbox = Outbox.of(upgraded.connection(), memory);
    this.flushNowBytes = Math.max(1, cfg.writeQueueMaxBytes() / 4);
    this.subscription = new Subscription(who);
    this.countDropped = f -> metrics.frameDropped(f.type());
  }

  /** Wires the socket's handlers; the caller sends hello and, once loaded, the snapshot. */
  public void open() {
    metrics.liveConnections.incrementAndGet();
    ws.setWriteQueueMaxSize(cfg.writeQueueMaxBytes());
    TextMessages.install(
        ws, this::onText, () -> bad(Problem.validation("frame", "must be a JSON text message")));
    ws.drainHandler(
        v -> {
          if (!queueFull()) drained();
        });
    ws.closeHandler(v -> closed());
  }

  public Principal principal() {
    return who;
  }

  public boolean readsAll() {
    return who.canReadAll();
  }

  public JsonArray topicNames() {
    return subscription.topicNames();
  }

  /** A control frame (hello, pong, error...): never filtered, never dropped. */
  public void sendControl(Frame f) {
    send(f);
  }

  /**
   * The snapshot goes out first, then the deltas that arrived while it loaded (applying them twice
   * is harmless).
   */
  public void sendSnapshot(Frame snapshot) {
    SnapshotBacklog held = backlog;
    backlog = null;
    send(snapshot);
    if (held != null) for (Frame f : held.frames()) send(f);
  }

  /** A delta from the hub: filtered by topic and, for user tokens, by user. */
  public void offer(Frame f) {
    if (closing || !subscription.wants(f)) return;
    if (backlog == null) {
      send(f);
    } else if (!backlog.hold(f, countDropped)) {
      close(CLOSE_TRY_AGAIN, "Too many changes while loading the snapshot: reconnect");
    }
  }

  private void send(Frame f) {
    if (closing) return;
    boolean full = queueFull();
    if (!full && fullTimer != -1) drained();
    if (full) {
      startFullClock();
      if (f.droppable()) {
        metrics.frameDropped(f.type());
        return;
      }
      overflowBytes += f.size();
      if (overflowBytes > overflowMax()) {
        closeSlow();
        return;
      }
    }
    if (outbox == null) {
      metrics.framesSent.increment();
      f.writeTo(ws);
      return;
    }
    boolean first = outbox.isEmpty();
    outbox.add(f);
    if (outbox.bytes() >= flushNowBytes) {
      // a burst goes on to the channel (and the kernel) as it comes rather than filling the bound
      // in the outbox
      flush();
    } else if (first) {
      flushLater.accept(this);
    }
  }

  /** Writes the frames waiting in the outbox with one flush. */
  public void flush() {
    flush(null);
  }

  /**
   * The hub's tick: like {@link #flush()}, sharing the encoded bytes with other sockets of the
   * tick.
   */
  public void flush(Outbox.Tick tick) {
    if (outbox == null || outbox.isEmpty()) return;
    if (ws.isClosed()) {
      // the peer's close frame was answered: nothing may follow ours (Vert.x refuses such writes
      // too)
      outbox.clear();
      return;
    }
    int n = outbox.flush(tick);
    if (n > 0) metrics.framesSent.increment(n);
  }

  /**
   * Keeps an idle connection from hitting the server's idle timeout (browsers answer pings by
   * themselves), and judges a full queue even when no event has come to write.
   */
  public void ping() {
    if (closing) return;
    if (queueFull()) startFullClock();
    else ws.writePing(Buffer.buffer("live"));
  }

  /**
   * With an outbox, the channel itself is asked (its water mark is the bound; the outbox's frames
   * count toward it): Vert.x's own flag only follows writability events and was seen lagging behind
   * the channel for bytes written past Vert.x.
   */
  private boolean queueFull() {
    if (outbox != null) {
      return outbox.full() || memory.overShare(outbox.pending(), metrics.liveConnections.get());
    }
    try {
      return ws.writeQueueFull();
    } catch (IllegalStateException closedMeanwhile) {
      return true;
    }
  }

  /**
   * Frames that matter may pass a full queue by this much before the socket is closed: its own
   * bound, or its share of the node's budget once that is used up.
   */
  private long overflowMax() {
    if (memory.queued() < memory.budget()) return cfg.writeQueueMaxBytes();
    return Math.min(
        cfg.writeQueueMaxBytes(), memory.budget() / Math.max(1, metrics.liveConnections.get()));
  }

  private void startFullClock() {
    if (fullTimer != -1) return;
    fullTimer =
        vertx.setTimer(
            cfg.slowReaderCloseSeconds() * 1000L,
            id -> {
              fullTimer = -1;
              if (queueFull()) closeSlow();
              else overflowBytes = 0;
            });
  }

  private void drained() {
    overflowBytes = 0;
    if (fullTimer != -1) {
      vertx.cancelTimer(fullTimer);
      fullTimer = -1;
    }
  }

  private void closeSlow() {
    if (closing) return;
    metrics.slowReaderClosed();
    close(CLOSE_TRY_AGAIN, "Reading too slowly: reconnect for a fresh snapshot");
  }

  /**
   * Sends the close frame, then cuts the connection if the peer has not taken it within the grace
   * period: a stalled peer never reads the close frame queued behind its backlog, and Vert.x only
   * closes after flushing, so without the cut its buffers would stay until the idle timeout.
   */
  public void close(short code, String reason) {
    if (closing) return;
    closing = true;
    backlog = null;
    if (fullTimer != -1) {
      vertx.cancelTimer(fullTimer);
      fullTimer = -1;
    }
    flush();
    ws.close(code, reason);
    vertx.setTimer(
        cfg.slowReaderCloseSeconds() * 1000L,
        id -> {
          if (!closed) cut.run();
        });
  }

  private void closed() {
    if (closed) return;
    closed = true;
    closing = true;
    backlog = null;
    if (outbox != null) outbox.clear();
    if (fullTimer != -1) vertx.cancelTimer(fullTimer);
    metrics.liveConnections.decrementAndGet();
    onClosed.accept(this);
  }

  // ---- client → server
  // ---------------------------------------------------------------------------------

  private void onText(String text) {
    if (closing) return;
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      bad(Problem.validation("frame", "is not valid JSON"));
      return;
    }
    if (!(parsed instanceof JsonObject msg)) {
      bad(Problem.validation("frame", "must be a JSON object"));
      return;
    }
    Object type = msg.getValue("type");
    if ("ping".equals(type)) {
      sendControl(Frame.of("pong", new JsonObject()));
    } else if ("subscribe".equals(type)) {
      subscribe(msg.getValue("topics"));
    } else {
      bad(Problem.validation("type", "must be one of: ping, subscribe"));
    }
  }

  private void subscribe(Object requested) {
    if (!subscription.subscribe(requested)) {
      bad(
          Problem.validation(
              "topics", "must be a non-empty array of: sessions, alerts, stats, imports"));
      return;
    }
    sendControl(Frame.of("subscribed", new JsonObject().put("topics", topicNames())));
  }

  private void bad(Problem p) {
    if (closing) return;
    badFrames++;
    sendControl(Frame.of("error", p.toJson()));
    if (badFrames > MAX_BAD_FRAMES) close(CLOSE_POLICY, "Too many invalid frames");
  }
}
