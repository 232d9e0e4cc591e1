package io.tracearr.analytics.gateway;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.live.DashboardSocket;
import io.tracearr.analytics.gateway.live.IngestConnection;
import io.tracearr.analytics.gateway.live.WebSocketDoor;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/ingest}: session start/heartbeat/end over one WebSocket, for clients that keep
 * a connection open. Same validation, durability and events as REST, because both doors send the
 * same commands to the local session registry.
 */
public final class IngestChannel {

  private static final long PING_INTERVAL_MS = 30_000;

  private final Vertx vertx;
  private final NodeContext node;
  private final WebSocketDoor door;
  private final Set<IngestConnection> connections = new LinkedHashSet<>();
  private long pingTimer = -1;
  private MessageConsumer<JsonObject> terminations;

  public IngestChannel(Vertx vertx, NodeContext node, BearerAuth auth) {
    this.vertx = vertx;
    this.node = node;
    this.door =
        new WebSocketDoor(
            auth, Principal::canWriteSessions, "Writing sessions needs the ingest or admin role");
  }

  public void start() {
    pingTimer =
        vertx.setPeriodic(PING_INTERVAL_MS, id -> connections.forEach(IngestConnection::ping));
    // published cluster-wide by the node that terminated the session: only the socket carrying it
    // acts
    terminations =
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Addresses.INGEST_TERMINATE,
                msg -> {
                  String id = msg.body().getString("id");
                  for (IngestConnection c : List.copyOf(connections))
                    if (c.carries(id)) c.terminate(id, msg.body().getString("reason"));
                });
  }

  public void stop() {
    if (pingTimer != -1) vertx.cancelTimer(pingTimer);
    if (terminations != null) terminations.unregister();
    for (IngestConnection c : List.copyOf(connections))
      c.close(DashboardSocket.CLOSE_GOING_AWAY, "Node shutting down");
  }

  public void upgrade(RoutingContext rc) {
    door.upgrade(
        rc,
        upgraded -> {
          IngestConnection c =
              new IngestConnection(
                  vertx, upgraded, node.config().live().writeQueueMaxBytes(), connections::remove);
          connections.add(c);
          c.open();
        });
  }
}
