package io.tracearr.analytics.gateway;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.auth.Role;
import io.tracearr.analytics.gateway.live.DashboardSocket;
import io.tracearr.analytics.gateway.live.Frame;
import io.tracearr.analytics.gateway.live.LiveMemory;
import io.tracearr.analytics.gateway.live.Outbox;
import io.tracearr.analytics.gateway.live.SnapshotSource;
import io.tracearr.analytics.gateway.live.UpdateThrottle;
import io.tracearr.analytics.gateway.live.WebSocketDoor;
import io.tracearr.analytics.node.NodeContext;
import io.tracearr.analytics.session.SessionRepository;
import io.tracearr.analytics.stats.StatsCalendar;
import io.tracearr.analytics.stats.StatsRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/live}: dashboards get {@code hello}, a {@code snapshot}, then the cluster-wide
 * events as deltas. One hub per gateway instance: it owns the sockets its event loop accepted and
 * consumes each event once, encodes each frame once, and writes it to its sockets — no locks, no
 * cross-thread writes. With {@code http.instances} gateways a node therefore consumes each event
 * once per instance.
 *
 * <p>A broadcast only queues the frame on each socket; every {@code live.flush_interval_ms} the hub
 * flushes the sockets that have frames waiting, so a socket's frames of one tick leave in one
 * write.
 */
public final class LiveHub {

  /** Events pushed to dashboards, in the order of {@link Addresses}. */
  static final List<String> EVENTS =
      List.of(
          Addresses.SESSION_STARTED,
          Addresses.SESSION_UPDATED,
          Addresses.SESSION_ENDED,
          Addresses.ALERT_RAISED,
          Addresses.ALERT_UPDATED,
          Addresses.ALERT_DISMISSED,
          Addresses.SESSION_TERMINATED,
          Addresses.ALERT_ACTION,
          Addresses.STATS_UPDATED,
          Addresses.IMPORT_PROGRESS);

  private static final long PING_INTERVAL_MS = 30_000;
  private static final int MAX_SNAPSHOTS_LOADING = 4;
  private static final long SNAPSHOT_RETRY_MS = 20;

  private final Vertx vertx;
  private final NodeContext node;
  private final WebSocketDoor door;
  private final SnapshotSource snapshots;
  private final UpdateThrottle updates;
  private final LiveMemory memory;

  /** snapshots loaded but not sent yet: they go out as the node's dashboard budget has room */
  private final ArrayDeque<PendingSnapshot> snapshotsToSend = new ArrayDeque<>();

  private record PendingSnapshot(DashboardSocket socket, Frame frame) {}

  private long snapshotTimer = -1;
  private final Set<DashboardSocket> sockets = new LinkedHashSet<>();

  /**
   * {@link #sockets} as an array for broadcasts, rebuilt after a change rather than copied per
   * event.
   */
  private DashboardSocket[] audience = new DashboardSocket[0];

  private boolean audienceStale;
  private final int flushIntervalMs;
  private ArrayList<DashboardSocket> toFlush = new ArrayList<>();
  private ArrayList<DashboardSocket> flushing = new ArrayList<>();
  private long flushTimer = -1;
  private final Outbox.Tick tick = new Outbox.Tick();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final ArrayDeque<DashboardSocket> waitingForSnapshot = new ArrayDeque<>();
  private int snapshotsLoading;

  /**
   * a load for the viewers and admins is running: those arriving meanwhile wait for the next one
   */
  private boolean sharedSnapshotLoading;

  private long pingTimer = -1;

  public LiveHub(Vertx vertx, NodeContext node, BearerAuth auth) {
    this.vertx = vertx;
    this.node = node;
    this.door =
        new WebSocketDoor(
            auth,
            who -> who.canReadAll() || who.has(Role.USER),
            "The live channel needs the viewer, admin or user role");
    this.flushIntervalMs = node.config().live().flushIntervalMs();
    this.memory =
        LiveMemory.forNode(
            vertx, node.config().live().queuedBytesMax(), node.metrics().liveQueuedBytes);
    this.snapshots =
        new SnapshotSource(
            new SessionRepository(node.pool()),
            new AlertRepository(node.pool()),
            new StatsRepository(
                node.pool(), new StatsCalendar(node.config().analytics().timezone())));
    this.updates =
        new UpdateThrottle(
            vertx,
            node.config().live().updatedMinIntervalMs(),
            node.config().live().updatedMaxPerSecond(),
            node.config().live().updatedWaitingMax(),
            session -> broadcast(Frame.event(Addresses.SESSION_UPDATED, session)),
            () -> node.metrics().frameDropped(Addresses.frameType(Addresses.SESSION_UPDATED)));
  }

  /** Subscribes to the events; completes when every consumer is registered cluster-wide. */
  public Future<Void> start() {
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : EVENTS) {
      MessageConsumer<JsonObject> c =
          vertx
              .eventBus()
              .consumer(
                  address,
                  msg ->
                      onEvent(
                          address, msg.body(), msg.headers().contains(SharedJson.URGENT_HEADER)));
      consumers.add(c);
      registered.add(c.completion());
    }
    pingTimer = vertx.setPeriodic(PING_INTERVAL_MS, id -> sockets.forEach(DashboardSocket::ping));
    return Future.all(registered).mapEmpty();
  }

  /** Closes every dashboard with 1001 so that browsers reconnect to another node. */
  public Future<Void> stop() {
    if (pingTimer != -1) vertx.cancelTimer(pingTimer);
    if (flushTimer != -1) vertx.cancelTimer(flushTimer);
    flushTimer = -1;
    if (snapshotTimer != -1) vertx.cancelTimer(snapshotTimer);
    snapshotTimer = -1;
    snapshotsToSend.clear();
    toFlush.clear();
    updates.clear();
    waitingForSnapshot.clear();
    for (DashboardSocket s : List.copyOf(sockets))
      s.close(DashboardSocket.CLOSE_GOING_AWAY, "Node shutting down");
    List<Future<Void>> unregistered = new ArrayList<>();
    for (MessageConsumer<JsonObject> c : consumers) unregistered.add(c.unregister());
    return Future.join(unregistered).mapEmpty();
  }

  public void upgrade(RoutingContext rc) {
    door.upgrade(rc, this::opened);
  }

  private void opened(WebSocketDoor.Upgraded upgraded) {
    Principal who = upgraded.who();
    DashboardSocket socket =
        new DashboardSocket(
            vertx,
            upgraded,
            node.config().live(),
            node.metrics(),
            memory,
            this::gone,
            this::flushLater);
    sockets.add(socket);
    audienceStale = true;
    socket.open();
    JsonArray roles = new JsonArray();
    who.roles().forEach(r -> roles.add(r.name().toLowerCase(java.util.Locale.ROOT)));
    socket.sendControl(
        Frame.of(
            "hello",
            new JsonObject()
                .put("version", node.version())
                .put("node_id", node.nodeId())
                .put("roles", roles)
                .put("user_id", who.userId() == null ? null : who.userId().toString())
                .put("topics", socket.topicNames())
                .put("updated_min_interval_ms", node.config().live().updatedMinIntervalMs())));
    waitingForSnapshot.add(socket);
    loadSnapshots();
  }

  /**
   * A few snapshots at a time: when a node restarts every browser reconnects at once, and three
   * queries per dashboard would otherwise overflow the database pool's wait queue and fail them
   * all. Every viewer and admin sees the same snapshot, so all of them waiting when a load starts
   * share that one load and its encoded frame (one load of every open session instead of one per
   * dashboard: bench/run scenario 7's reconnecting dashboards built 31 MB each until the heap ran
   * out). Each of them connected before the load started, so the deltas they held meanwhile still
   * follow it; one arriving later waits for the next load.
   */
  private void loadSnapshots() {
    while (snapshotsLoading < MAX_SNAPSHOTS_LOADING && !waitingForSnapshot.isEmpty()) {
      DashboardSocket first = waitingForSnapshot.peek();
      boolean shared = first.principal().canReadAll();
      if (shared && sharedSnapshotLoading) return;
      if (shared && !memory.tryStartFullSnapshot()) {
        // another gateway instance of this node is building one: one at a time per node
        retrySnapshotsSoon();
        return;
      }
      waitingForSnapshot.poll();
      if (!sockets.contains(first)) continue;
      List<DashboardSocket> group = new ArrayList<>();
      group.add(first);
      if (shared) {
        for (var it = waitingForSnapshot.iterator(); it.hasNext(); ) {
          DashboardSocket s = it.next();
          if (s.principal().canReadAll()) {
            it.remove();
            if (sockets.contains(s)) group.add(s);
          }
        }
        sharedSnapshotLoading = true;
      }
      snapshotsLoading++;
      snapshots
          .load(first.principal())
          .onComplete(
              ar -> {
                snapshotsLoading--;
                if (shared) {
                  sharedSnapshotLoading = false;
                  memory.fullSnapshotDone();
                }
                for (DashboardSocket socket : group) {
                  if (ar.succeeded()) {
                    snapshotsToSend.add(new PendingSnapshot(socket, ar.result()));
                  } else {
                    socket.sendControl(
                        Frame.of("error", DatabaseErrors.toProblem(ar.cause()).toJson()));
                    socket.close(
                        DashboardSocket.CLOSE_TRY_AGAIN, "Snapshot unavailable: reconnect shortly");
                  }
                }
                sendSnapshots();
                loadSnapshots();
              });
    }
  }

  private void retrySnapshotsSoon() {
    if (snapshotTimer != -1) return;
    snapshotTimer =
        vertx.setTimer(
            SNAPSHOT_RETRY_MS,
            id -> {
              snapshotTimer = -1;
              sendSnapshots();
              loadSnapshots();
            });
  }

  /**
   * Each loaded snapshot goes out when the node's dashboard budget ({@code live.queued_bytes_max})
   * has room for it: a thousand dashboards reconnecting at 50 000 sessions would otherwise queue 32
   * MB each at once. The shared frame is one object whatever the number of sockets waiting; their
   * deltas meanwhile wait in their bounded backlog.
   */
  private void sendSnapshots() {
    while (!snapshotsToSend.isEmpty()) {
      PendingSnapshot next = snapshotsToSend.peek();
      DashboardSocket socket = next.socket();
      Frame frame = next.frame();
      if (!sockets.contains(socket)) {
        snapshotsToSend.poll();
        continue;
      }
      if (!memory.fits(frame.size())) {
        retrySnapshotsSoon();
        return;
      }
      snapshotsToSend.poll();
      socket.sendSnapshot(frame);
    }
  }

  private void onEvent(String address, JsonObject data, boolean urgent) {
    if (data == null) return;
    if (sockets.isEmpty()) {
      // nothing to send; a held-back update would only be stale by the time someone connects
      if (address.equals(Addresses.SESSION_ENDED)) updates.forget(data.getString("id"));
      return;
    }
    switch (address) {
      case Addresses.SESSION_UPDATED -> {
        if (urgent) updates.offerUrgent(data);
        else updates.offer(data);
      }
      case Addresses.SESSION_ENDED -> {
        updates.forget(data.getValue("id") instanceof String id ? id : null);
        broadcast(Frame.event(address, data));
      }
      default -> broadcast(Frame.event(address, data));
    }
  }

  private void gone(DashboardSocket socket) {
    if (sockets.remove(socket)) audienceStale = true;
  }

  private void broadcast(Frame frame) {
    if (audienceStale) {
      audience = sockets.toArray(new DashboardSocket[0]);
      audienceStale = false;
    }
    // a socket closed during the loop stays in this array; offer() ignores it once it is closing
    for (DashboardSocket s : audience) s.offer(frame);
  }

  private void flushLater(DashboardSocket socket) {
    if (flushIntervalMs == 0) {
      socket.flush();
      return;
    }
    toFlush.add(socket);
    if (flushTimer == -1) flushTimer = vertx.setTimer(flushIntervalMs, id -> flushAll());
  }

  private void flushAll() {
    flushTimer = -1;
    // swapped first: a flush that closes a socket must not touch the list being walked
    ArrayList<DashboardSocket> batch = toFlush;
    toFlush = flushing;
    flushing = batch;
    try {
      for (int i = 0; i < batch.size(); i++) batch.get(i).flush(tick);
    } finally {
      tick.release();
      batch.clear();
    }
  }

  int connections() {
    return sockets.size();
  }
}
