package io.tracearr.analytics.media;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.media.MediaServerRepository.ServerRow;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one media server from the node holding its lease: polls its sessions at its interval (the
 * source of truth), feeds the {@link PlaybackTracker}, and sends the tracker's commands to this
 * node's session registry on the local bus, the way REST would: the poll's ends first, then each
 * session's commands in order (its start answered before its heartbeat goes), sessions side by
 * side. The push channel only makes the next poll come sooner; it reconnects with backoff and its
 * loss changes nothing else. A poll that misses a playback is confirmed by one short re-poll {@link
 * #CONFIRM_DELAY_MS} later (see {@link #confirmSoon}), so a stop ends its session within about one
 * interval instead of two. Runs on the verticle's event loop.
 */
final class ServerWatcher {

  private static final Logger log = LoggerFactory.getLogger(ServerWatcher.class);

  /**
   * Pushes arrive in bursts (one per state change); polls they cause are at least this far apart.
   */
  static final long MIN_POLL_GAP_MS = 1_000;

  static final long MAX_BACKOFF_MS = 60_000;

  /** A playback found already ended is restarted as the next replay; a bounded number per poll. */
  private static final int MAX_RESTARTS_PER_POLL = 20;

  /**
   * Sessions whose commands are in flight to the registry at once, per server. One at a time, a
   * poll of 100 playbacks took 100 bus round trips (and 100 start commits on the first poll) before
   * the next poll could be scheduled: on a loaded 2-core machine a 2 s interval became 6.4 s
   * (bench/run scenario 13). Side by side, concurrent starts also share the registry's group
   * commit.
   */
  static final int MAX_SESSIONS_IN_FLIGHT = 32;

  /**
   * Starts in flight to the registry from all of a node's watchers at once. A start costs a commit
   * and a sharing judgement (database reads); 50 servers starting 32 sessions each at once
   * exhausted the database pool (8 connections) and judgements failed with "Timeout waiting for
   * connection" (bench/run scenario 13). One at a time per server was 50 at once.
   */
  static final int MAX_STARTS_IN_FLIGHT = 16;

  /**
   * The node's budget of starts in flight, shared by its watchers (which all run on the verticle's
   * event loop, so it needs no lock).
   */
  static final class StartBudget {
    private int free;
    private final Deque<Runnable> waiting = new ArrayDeque<>();

    StartBudget(int size) {
      this.free = size;
    }

    /** Runs {@code task} now, or when a start in flight ends; the task calls {@link #release}. */
    void acquire(Runnable task) {
      if (free > 0) {
        free--;
        task.run();
      } else {
        waiting.add(task);
      }
    }

    void release() {
      Runnable next = waiting.poll();
      if (next != null) next.run();
      else free++;
    }
  }

  /**
   * After a poll, the next one waits at least this long, even when the last one (with its commands)
   * took more than the interval: a server that answers slowly is not asked back to back.
   */
  static final long MIN_REST_MS = 250;

  /**
   * How long after a poll that missed a playback its confirmation asks again. A playback is ended
   * only when two answers in a row miss it; waiting a whole interval for the second put stops at
   * 1-2 intervals (2-4 s at 2 s: bench/run scenario 13 measured stops at p99 3.2-4.5 s against a
   * target of interval + 500 ms). Asked this much later, a stop ends within one interval plus this
   * delay plus the round trips and the end's commit, which must fit in the target's 500 ms (at a 2
   * s interval, a start, which needs no confirmation, already takes ~100 ms of them at p99 on a
   * loaded machine), while a partial answer still has to last this long to end anything.
   */
  static final long CONFIRM_DELAY_MS = 250;

  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(15_000);

  /** What the watcher reports to its verticle (which writes the table and publishes events). */
  interface Listener {
    /** The status changed: {@code up}, {@code unreachable} or {@code unauthorized}. */
    void statusChanged(ServerRow server, String status, String detail);

    /** The server answered for the first time without a known own id: look it up. */
    void firstAnswer(ServerRow server);
  }

  final ServerRow server;
  private final Vertx vertx;
  private final WebClient http;
  private final WebSocketClient sockets;
  private final Listener listener;
  private final io.tracearr.analytics.metrics.DomainMetrics metrics;
  private final PlaybackTracker tracker;

  /** How long a stop we made marks its session's end as terminated. */
  private static final long STOPPING_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  /** Sessions this watcher is stopping (or stopped) → until when (nanoTime); event loop only. */
  private final java.util.Map<UUID, Long> stopping = new java.util.HashMap<>();

  private final StartBudget starts;
  private final AtomicInteger sessionsSeen = new AtomicInteger();
  private String status;
  private boolean stopped;
  private boolean polling;
  private boolean pollAgain;
  private boolean answeredOnce;
  private long timer = -1;
  private long confirmTimer = -1;

  /** A confirmation's request is out: polls wait for its answer, so answers apply in order. */
  private boolean confirming;

  private boolean pollAfterConfirm;
  private long lastPollStartMs;
  private WebSocket socket;
  private long socketBackoffMs = 1_000;
  private long socketTimer = -1;
  private long keepAliveTimer = -1;
  private int polls;
  private io.vertx.core.eventbus.MessageConsumer<JsonObject> terminateConsumer;
  private java.util.Set<String> lastSignature = java.util.Set.of();

  ServerWatcher(
      Vertx vertx,
      WebClient http,
      WebSocketClient sockets,
      ServerRow server,
      String knownStatus,
      io.tracearr.analytics.metrics.DomainMetrics metrics,
      StartBudget starts,
      Listener listener) {
    this.vertx = vertx;
    this.starts = starts;
    this.http = http;
    this.sockets = sockets;
    this.server = server;
    this.status = knownStatus;
    this.metrics = metrics;
    this.listener = listener;
    this.tracker = new PlaybackTracker(server.id());
  }

  void start() {
    poll();
    connectPush();
    // the stop call for this server's sessions is made by the node whose watcher knows their
    // server-side ids: this one, while it holds the lease
    terminateConsumer =
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.MEDIA_TERMINATE_PREFIX + server.id(),
                msg ->
                    terminate(
                            UUID.fromString(msg.body().getString("session_id")),
                            msg.body().getString("reason"))
                        .onComplete(
                            ar ->
                                msg.reply(
                                    ar.succeeded()
                                        ? new JsonObject()
                                            .put("ok", true)
                                            .put("detail", ar.result())
                                        : new JsonObject()
                                            .put("ok", false)
                                            .put("detail", ar.cause().getMessage()))));
  }

  /**
   * The server's own stop call (issue 15). Jellyfin/Emby: {@code POST /Sessions/{id}/Message} with
   * a {@code MessageCommand} body {@code {Header, Text, TimeoutMs}} (Jellyfin OpenAPI, SessionApi
   * sendMessageCommand; Emby's postSessionsByIdMessage takes the same fields), then {@code POST
   * /Sessions/{id}/Playing/Stop} (PlaystateCommand Stop). Plex: {@code GET
   * /status/sessions/terminate?sessionId=…&reason=…} with {@code Session.id} (the form JBOPS'
   * killstream scripts and Tautulli use). The message is best effort; the stop decides the outcome.
   */
  Future<String> terminate(UUID sessionId, String reason) {
    ObservedPlayback p = tracker.playbackOf(sessionId).orElse(null);
    if (p == null) return Future.failedFuture("the server does not show this session playing");
    // from the call on: a poll that sees the playback gone ends it as terminated, not as the
    // client's own end (the stop can take effect before its answer arrives)
    stopping.put(sessionId, System.nanoTime() + STOPPING_NANOS);
    return stopCall(p, reason).onFailure(err -> stopping.remove(sessionId));
  }

  private Future<String> stopCall(ObservedPlayback p, String reason) {
    String control = p.controlId() != null ? p.controlId() : p.serverSessionKey();
    String text =
        reason == null || reason.isBlank()
            ? "This stream was stopped by the administrator"
            : reason;
    if (server.type() == ServerType.PLEX) {
      return MediaApi.request(
              http, server.type(), server.url(), server.token(), "/status/sessions/terminate")
          .addQueryParam("sessionId", control)
          .addQueryParam("reason", text)
          .send()
          .compose(r -> stopAnswer(r, "terminate"));
    }
    String base =
        "/Sessions/" + java.net.URLEncoder.encode(control, java.nio.charset.StandardCharsets.UTF_8);
    JsonObject message =
        new JsonObject()
            .put("Header", "Playback stopped")
            .put("Text", text)
            .put("TimeoutMs", 10_000);
    return MediaApi.request(http, server.type(), server.url(), server.token(), base + "/Message")
        .method(io.vertx.core.http.HttpMethod.POST)
        .sendJsonObject(message)
        .recover(err -> Future.succeededFuture(null))
        .compose(
            ignored ->
                MediaApi.request(
                        http, server.type(), server.url(), server.token(), base + "/Playing/Stop")
                    .method(io.vertx.core.http.HttpMethod.POST)
                    .send())
        .compose(r -> stopAnswer(r, "Playing/Stop"));
  }

  private Future<String> stopAnswer(
      io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> r, String call) {
    if (r.statusCode() >= 200 && r.statusCode() <= 299) {
      pollSoon();
      return Future.succeededFuture(server.name() + " accepted " + call);
    }
    return Future.failedFuture(server.name() + " answered HTTP " + r.statusCode() + " to " + call);
  }

  /**
   * Stops polling and closes the push channel; open sessions stay open for the next watcher or the
   * timeout.
   */
  void stop() {
    stopped = true;
    if (terminateConsumer != null) terminateConsumer.unregister();
    if (timer >= 0) vertx.cancelTimer(timer);
    if (confirmTimer >= 0) vertx.cancelTimer(confirmTimer);
    if (socketTimer >= 0) vertx.cancelTimer(socketTimer);
    if (keepAliveTimer >= 0) vertx.cancelTimer(keepAliveTimer);
    if (socket != null) socket.close();
  }

  String status() {
    return status;
  }

  int sessionsSeen() {
    return sessionsSeen.get();
  }

  int polls() {
    return polls;
  }

  // ---- polling
  // -------------------------------------------------------------------------------------------------

  /**
   * A push said something changed: poll now, or as soon as the running poll and the minimum gap
   * allow.
   */
  void pollSoon() {
    if (stopped) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    long wait = lastPollStartMs + MIN_POLL_GAP_MS - System.currentTimeMillis();
    schedule(Math.max(1, wait));
  }

  private void schedule(long delayMs) {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer =
        vertx.setTimer(
            delayMs,
            id -> {
              timer = -1;
              poll();
            });
  }

  private void poll() {
    if (stopped) return;
    if (confirming) {
      // the confirmation's answer is applied first; this poll follows it at once
      pollAfterConfirm = true;
      return;
    }
    // a confirmation not yet asked is this poll's job now
    cancelConfirmation();
    polling = true;
    lastPollStartMs = System.currentTimeMillis();
    long t0 = System.nanoTime();
    MediaApi.get(
            http, server.type(), server.url(), server.token(), MediaApi.sessionsPath(server.type()))
        .compose(
            outcome -> {
              PollResult result = MediaApi.poll(outcome, server.type());
              String now = outcomeOf(result, outcome);
              metrics
                  .mediaPoll(server.name(), now)
                  .record(Duration.ofNanos(System.nanoTime() - t0));
              polls++;
              String detail = result instanceof PollResult.Unreachable u ? u.why() : null;
              setStatus(now, detail);
              if (stopped) return Future.succeededFuture();
              if (result instanceof PollResult.Seen seen) {
                sessionsSeen.set(seen.playing().size());
                lastSignature = signature(seen.playing());
                if (!answeredOnce) {
                  answeredOnce = true;
                  if (server.ownId() == null) listener.firstAnswer(server);
                }
              }
              List<SessionCommand> commands = tracker.apply(result);
              if (result instanceof PollResult.Seen && tracker.awaitsConfirmation()) confirmSoon();
              return send(commands);
            })
        .onComplete(
            ar -> {
              if (ar.failed())
                log.warn(
                    "media server '{}': a poll failed: {}", server.name(), ar.cause().toString());
              polling = false;
              if (stopped) return;
              if (pollAgain) {
                pollAgain = false;
                pollSoon();
              } else {
                schedule(
                    nextPollDelay(
                        lastPollStartMs,
                        System.currentTimeMillis(),
                        server.pollIntervalSeconds() * 1000L));
              }
            });
  }

  // ---- confirming a miss
  // ---------------------------------------------------------------------------------------------

  /**
   * The last poll missed a playback: ask again in {@link #CONFIRM_DELAY_MS} rather than at the next
   * poll. At most one confirmation per server is pending or in flight, and at most one follows each
   * poll (it is asked only from a poll's answer), so a server is asked at most twice per interval.
   * A poll that starts before the confirmation is asked takes its place.
   */
  private void confirmSoon() {
    if (stopped || confirming || confirmTimer >= 0) return;
    confirmTimer =
        vertx.setTimer(
            CONFIRM_DELAY_MS,
            id -> {
              confirmTimer = -1;
              confirm();
            });
  }

  private void cancelConfirmation() {
    if (confirmTimer >= 0) vertx.cancelTimer(confirmTimer);
    confirmTimer = -1;
  }

  /**
   * The confirming request: the same call as a poll, with its timeout. Its answer decides only the
   * playbacks the poll missed ({@link PlaybackTracker#confirm}): ends, sent at once. An answer that
   * is not a list ends nothing; the next poll then decides, as before confirmations.
   */
  private void confirm() {
    // the poll that asked for it may still be sending its commands: they concern the playbacks it
    // saw, the confirmation only those it missed
    if (stopped || !tracker.awaitsConfirmation()) return;
    confirming = true;
    long t0 = System.nanoTime();
    MediaApi.get(
            http, server.type(), server.url(), server.token(), MediaApi.sessionsPath(server.type()))
        .onComplete(
            ar -> {
              confirming = false;
              if (stopped) return;
              if (ar.succeeded()) {
                PollResult result = MediaApi.poll(ar.result(), server.type());
                String now = outcomeOf(result, ar.result());
                metrics
                    .mediaPoll(server.name(), now)
                    .record(Duration.ofNanos(System.nanoTime() - t0));
                setStatus(now, result instanceof PollResult.Unreachable u ? u.why() : null);
                if (result instanceof PollResult.Seen seen) {
                  List<SessionCommand> ends = tracker.confirm(seen.playing());
                  if (!ends.isEmpty())
                    send(ends)
                        .onFailure(
                            err ->
                                log.warn(
                                    "media server '{}': ending confirmed stops failed: {}",
                                    server.name(),
                                    err.toString()));
                }
              } else {
                log.warn(
                    "media server '{}': a confirmation failed: {}",
                    server.name(),
                    ar.cause().toString());
              }
              if (pollAfterConfirm) {
                pollAfterConfirm = false;
                poll();
              }
            });
  }

  private static String outcomeOf(PollResult result, MediaApi.Outcome outcome) {
    return result instanceof PollResult.Seen
        ? MediaApi.Outcome.UP
        : MediaApi.Outcome.UNAUTHORIZED.equals(outcome.status())
            ? MediaApi.Outcome.UNAUTHORIZED
            : MediaApi.Outcome.UNREACHABLE;
  }

  /**
   * Polls start one interval apart (the poll and its commands count in the interval rather than
   * adding to it), but never less than {@link #MIN_REST_MS} after the previous one ended.
   */
  static long nextPollDelay(long lastStartMs, long nowMs, long intervalMs) {
    return Math.max(MIN_REST_MS, lastStartMs + intervalMs - nowMs);
  }

  private void setStatus(String now, String detail) {
    if (now.equals(status)) return;
    String before = status;
    status = now;
    if (now.equals(MediaApi.Outcome.UP)) {
      log.info("media server '{}' ({}) is up (was {})", server.name(), server.type(), before);
    } else {
      log.warn(
          "media server '{}' ({}) is {}: {} (was {})",
          server.name(),
          server.type(),
          now,
          detail,
          before);
    }
    listener.statusChanged(server, now, detail);
  }

  // ---- commands to the session registry
  // --------------------------------------------------------------------------

  /**
   * The poll's ends first (a device switching items must not count twice for the sharing rules),
   * then each session's commands in order, up to {@link #MAX_SESSIONS_IN_FLIGHT} sessions at once;
   * a session found ended restarts as the next replay within its own chain.
   */
  private Future<Void> send(List<SessionCommand> commands) {
    List<Deque<SessionCommand>> chains = chains(commands);
    List<Deque<SessionCommand>> ends = new ArrayList<>();
    for (SessionCommand e : chains.get(0)) ends.add(new ArrayDeque<>(List.of(e)));
    List<Deque<SessionCommand>> rest = chains.subList(1, chains.size());
    int[] restarts = {0};
    return sideBySide(ends, restarts).compose(v -> sideBySide(rest, restarts));
  }

  /**
   * The poll's commands as chains: the first holds every end (each independent of the others), then
   * one chain per other session, its commands in the tracker's order, sessions in the order they
   * first appear.
   */
  static List<Deque<SessionCommand>> chains(List<SessionCommand> commands) {
    Deque<SessionCommand> ends = new ArrayDeque<>();
    Map<UUID, Deque<SessionCommand>> bySession = new LinkedHashMap<>();
    for (SessionCommand c : commands) {
      if (c instanceof SessionCommand.End) ends.add(c);
      else bySession.computeIfAbsent(c.sessionId(), k -> new ArrayDeque<>()).add(c);
    }
    List<Deque<SessionCommand>> out = new ArrayList<>();
    out.add(ends);
    out.addAll(bySession.values());
    return out;
  }

  /**
   * Runs the chains, at most {@link #MAX_SESSIONS_IN_FLIGHT} at once, a chain opening with a start
   * only when the node's {@link StartBudget} allows; completes after the last.
   */
  private Future<Void> sideBySide(List<Deque<SessionCommand>> chains, int[] restarts) {
    if (chains.isEmpty()) return Future.succeededFuture();
    Promise<Void> done = Promise.promise();
    Deque<Deque<SessionCommand>> waiting = new ArrayDeque<>(chains);
    int[] running = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (running[0] < MAX_SESSIONS_IN_FLIGHT && !waiting.isEmpty() && !stopped) {
            Deque<SessionCommand> next = waiting.poll();
            running[0]++;
            if (next.peek() instanceof SessionCommand.Start) {
              starts.acquire(
                  () ->
                      drain(next, restarts)
                          .onComplete(
                              ar -> {
                                starts.release();
                                running[0]--;
                                pump[0].run();
                              }));
            } else {
              drain(next, restarts)
                  .onComplete(
                      ar -> {
                        running[0]--;
                        pump[0].run();
                      });
            }
          }
          if (running[0] == 0) done.tryComplete();
        };
    pump[0].run();
    return done.future();
  }

  private Future<Void> drain(Deque<SessionCommand> queue, int[] restarts) {
    SessionCommand next = queue.poll();
    if (next == null || stopped) return Future.succeededFuture();
    return sendOne(next)
        .transform(
            ar -> {
              if (ar.succeeded() && ar.result() && restarts[0] < MAX_RESTARTS_PER_POLL) {
                restarts[0]++;
                // the ended session's remaining commands (its heartbeat) are dropped; the replay's
                // take their place
                queue.removeIf(c -> c.sessionId().equals(next.sessionId()));
                List<SessionCommand> replay = tracker.alreadyEnded(next.sessionId());
                for (int i = replay.size() - 1; i >= 0; i--) queue.addFirst(replay.get(i));
              }
              return drain(queue, restarts);
            });
  }

  private boolean stoppedByUs(UUID sessionId) {
    Long until = stopping.remove(sessionId);
    long now = System.nanoTime();
    stopping.values().removeIf(t -> t - now < 0);
    return until != null && until - now > 0;
  }

  /** Sends one command; true when the registry says the session has already ended. */
  private Future<Boolean> sendOne(SessionCommand c) {
    String address;
    JsonObject msg;
    if (c instanceof SessionCommand.Start st) {
      address = Addresses.SESSIONS_START;
      msg = new JsonObject().put("body", st.body());
    } else if (c instanceof SessionCommand.Heartbeat h) {
      address = Addresses.SESSIONS_HEARTBEAT;
      msg = new JsonObject().put("id", h.sessionId().toString()).put("body", h.body());
    } else {
      SessionCommand.End e = (SessionCommand.End) c;
      address = Addresses.SESSIONS_END;
      msg =
          new JsonObject()
              .put("id", e.sessionId().toString())
              .put("body", new JsonObject())
              .put("reason", stoppedByUs(e.sessionId()) ? "terminated" : e.reason());
    }
    return vertx
        .eventBus()
        .<JsonObject>request(address, msg, COMMAND)
        .map(
            reply -> {
              JsonObject r = reply.body();
              int code = r.getInteger("status", 0);
              if (c instanceof SessionCommand.Start && code == 200) {
                JsonObject session = r.getJsonObject("session");
                return session != null && session.getValue("ended_at") != null;
              }
              if (c instanceof SessionCommand.Heartbeat && (code == 404 || code == 409))
                return true;
              if (code >= 400 && !(c instanceof SessionCommand.End && code == 404)) {
                JsonObject problem = r.getJsonObject("problem", new JsonObject());
                log.debug(
                    "media server '{}': {} of session {} answered {}: {}",
                    server.name(),
                    address,
                    c.sessionId(),
                    code,
                    problem.getString("detail"));
              }
              return false;
            })
        .otherwise(
            err -> {
              log.debug(
                  "media server '{}': {} of session {} failed: {}",
                  server.name(),
                  address,
                  c.sessionId(),
                  err.toString());
              return false;
            });
  }

  // ---- push channel
  // ------------------------------------------------------------------------------------------------

  private void connectPush() {
    if (stopped) return;
    sockets
        .connect(MediaApi.socket(server.type(), server.url(), server.token()))
        .onComplete(
            ar -> {
              if (stopped) {
                if (ar.succeeded()) ar.result().close();
                return;
              }
              if (ar.failed()) {
                // the URL of an Emby socket carries the token: only the cause's class and message
                // are logged
                log.debug(
                    "media server '{}': push channel not connected ({}), retrying in {} ms",
                    server.name(),
                    MediaApi.describe(ar.cause()),
                    socketBackoffMs);
                reconnectLater();
                return;
              }
              WebSocket ws = ar.result();
              socket = ws;
              socketBackoffMs = 1_000;
              ws.textMessageHandler(this::onPush);
              ws.exceptionHandler(
                  err ->
                      log.debug(
                          "media server '{}': push channel error: {}",
                          server.name(),
                          err.toString()));
              ws.closeHandler(
                  v -> {
                    if (socket == ws) socket = null;
                    if (keepAliveTimer >= 0) vertx.cancelTimer(keepAliveTimer);
                    keepAliveTimer = -1;
                    reconnectLater();
                  });
              if (server.type().isMediaBrowser()) {
                // Sessions on every change and at the poll's pace; the poll stays the judge of what
                // ended
                ws.writeTextMessage(
                    PushMessages.sessionsStart(0, server.pollIntervalSeconds() * 1000));
              }
            });
  }

  private void reconnectLater() {
    if (stopped) return;
    long delay = socketBackoffMs;
    socketBackoffMs = Math.min(socketBackoffMs * 2, MAX_BACKOFF_MS);
    socketTimer =
        vertx.setTimer(
            delay,
            id -> {
              socketTimer = -1;
              connectPush();
            });
  }

  private void onPush(String text) {
    PushSignal signal =
        server.type() == ServerType.PLEX
            ? PushMessages.plex(text)
            : PushMessages.mediaBrowser(text);
    if (signal instanceof PushSignal.PollNow) {
      pollSoon();
    } else if (signal instanceof PushSignal.SessionsSnapshot snapshot) {
      // Jellyfin/Emby send this at the subscription's pace too: only a change is worth an early
      // poll
      if (!signature(snapshot.playing()).equals(lastSignature)) pollSoon();
    } else if (signal instanceof PushSignal.KeepAliveRequested k) {
      keepAlive(k.timeoutSeconds());
    } else if (signal instanceof PushSignal.Unreadable u) {
      log.debug("media server '{}': unreadable push message ({})", server.name(), u.why());
    }
  }

  /**
   * What a list of playbacks looks like to the tracker's decisions: which item plays where, in
   * which state.
   */
  static java.util.Set<String> signature(List<ObservedPlayback> playing) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (ObservedPlayback p : playing)
      out.add(
          p.serverSessionKey() + "|" + p.itemId() + "|" + p.externalUserId() + "|" + p.status());
    return out;
  }

  private void keepAlive(Integer timeoutSeconds) {
    WebSocket ws = socket;
    if (ws == null) return;
    ws.writeTextMessage(PushMessages.keepAlive());
    if (keepAliveTimer >= 0) return;
    long every = Math.max(5, (timeoutSeconds == null ? 60 : timeoutSeconds) / 2) * 1000L;
    keepAliveTimer =
        vertx.setPeriodic(
            every,
            id -> {
              WebSocket current = socket;
              if (current != null) current.writeTextMessage(PushMessages.keepAlive());
            });
  }

  UUID id() {
    return server.id();
  }
}
