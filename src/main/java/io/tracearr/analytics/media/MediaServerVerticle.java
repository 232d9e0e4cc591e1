package io.tracearr.analytics.media;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.media.MediaServerRepository.ServerRow;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media-server connector on one node, and the one writer of {@code media_servers} and {@code
 * media_server_leases}. It serves the local commands the gateway sends (create, update, delete),
 * upserts the config file's servers at boot, and watches the servers whose lease it holds: every
 * third of {@code media.lease_seconds} it claims or renews, in one statement, every enabled server
 * no other node holds, starts a {@link ServerWatcher} for each server it got and stops the watchers
 * of those it did not. A node that stops renewing loses its servers to the next node's claim once
 * the lease runs out; a node that stops cleanly releases them at once.
 */
public final class MediaServerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(MediaServerVerticle.class);

  private final NodeContext node;
  private final AppConfig.Media cfg;
  private MediaServerRepository repository;
  private WebClient http;
  private WebSocketClient sockets;
  private final Map<UUID, ServerWatcher> watchers = new HashMap<>();

  /** starts in flight from all this node's watchers: bounded so a burst cannot drain the pool */
  private final ServerWatcher.StartBudget startBudget =
      new ServerWatcher.StartBudget(ServerWatcher.MAX_STARTS_IN_FLIGHT);

  /** every known server by name, for the gauges: status as this node last read or saw it */
  private final Map<String, Gauged> gauged = new ConcurrentHashMap<>();

  private long tickTimer = -1;
  private boolean ticking;
  private boolean tickAgain;
  private long lastClaimOkMs;

  private static final class Gauged {
    volatile String status = "unknown";
    volatile int sessions;
  }

  public MediaServerVerticle(NodeContext node) {
    this.node = node;
    this.cfg = node.config().media();
  }

  @Override
  public Future<?> start() {
    repository = new MediaServerRepository(node.pool());
    http =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setConnectTimeout((int) MediaApi.TIMEOUT_MS)
                .setUserAgent(MediaApi.CLIENT + "/" + node.version())
                .setFollowRedirects(false));
    sockets =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setConnectTimeout((int) MediaApi.TIMEOUT_MS)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(16 << 20));
    var bus = vertx.eventBus();
    return Future.all(
            bus.<JsonObject>localConsumer(
                    Addresses.MEDIA_SERVERS_CREATE, msg -> serve(msg, this::create))
                .completion(),
            bus.<JsonObject>localConsumer(
                    Addresses.MEDIA_SERVERS_UPDATE, msg -> serve(msg, this::update))
                .completion(),
            bus.<JsonObject>localConsumer(
                    Addresses.MEDIA_SERVERS_DELETE, msg -> serve(msg, this::delete))
                .completion(),
            bus.<JsonObject>consumer(Addresses.MEDIA_SERVERS_CHANGED, msg -> tickSoon())
                .completion())
        .compose(v -> upsertConfigServers())
        .onSuccess(
            v -> {
              long every = Math.max(1_000, cfg.leaseSeconds() * 1000L / 3);
              tickTimer = vertx.setPeriodic(every, id -> tickSoon());
              tickSoon();
            });
  }

  /**
   * Watchers stop and this node's leases are released, so another node takes the servers over at
   * once.
   */
  @Override
  public Future<?> stop() {
    if (tickTimer >= 0) vertx.cancelTimer(tickTimer);
    watchers.values().forEach(ServerWatcher::stop);
    watchers.clear();
    return repository
        .release(node.nodeId())
        .recover(
            err -> {
              log.warn(
                  "media server leases could not be released ({}); they expire within {} s",
                  err.toString(),
                  cfg.leaseSeconds());
              return Future.succeededFuture();
            })
        .eventually(
            () -> {
              http.close();
              return sockets.close();
            });
  }

  // ---- config servers
  // ------------------------------------------------------------------------------------------

  private Future<Void> upsertConfigServers() {
    Future<Void> chain = Future.succeededFuture();
    List<String> names = new ArrayList<>();
    for (AppConfig.MediaServer s : cfg.servers()) {
      names.add(s.name());
      ServerType type = ServerType.of(s.type()).orElseThrow();
      String url = ServerInput.normaliseUrl(s.url());
      UUID id = MediaIds.server(type, url);
      chain =
          chain.compose(
              v ->
                  repository
                      .upsertConfig(
                          id, s.name(), type, url, s.token(), s.enabled(), s.pollIntervalSeconds())
                      .map(
                          ours -> {
                            if (!ours)
                              log.warn(
                                  "media_servers entry '{}' is ignored: a server of that name was added through the API",
                                  s.name());
                            return null;
                          }));
    }
    return chain
        .compose(v -> repository.deleteConfigNotIn(names))
        .map(
            removed -> {
              if (removed > 0)
                log.info("{} media server(s) removed from the config file were deleted", removed);
              if (!cfg.servers().isEmpty())
                log.info("{} media server(s) from the config file", cfg.servers().size());
              return null;
            });
  }

  // ---- leases and watchers
  // -----------------------------------------------------------------------------------------

  /** One tick at a time; a request during a tick runs one more right after it. */
  private void tickSoon() {
    if (ticking) {
      tickAgain = true;
      return;
    }
    ticking = true;
    tick()
        .onComplete(
            ar -> {
              ticking = false;
              if (ar.failed())
                log.debug("media server lease tick failed: {}", ar.cause().toString());
              if (tickAgain) {
                tickAgain = false;
                tickSoon();
              }
            });
  }

  private Future<Void> tick() {
    return repository
        .rows()
        .compose(
            rows ->
                repository
                    .claim(node.nodeId(), cfg.leaseSeconds())
                    .map(
                        held -> {
                          lastClaimOkMs = System.currentTimeMillis();
                          reconcile(rows, held);
                          return (Void) null;
                        }))
        .onFailure(
            err -> {
              // the lease cannot be renewed: once it may have run out, another node may be
              // watching; stop before doubling
              if (!watchers.isEmpty()
                  && System.currentTimeMillis() - lastClaimOkMs
                      > cfg.leaseSeconds() * 1000L * 2 / 3) {
                log.warn(
                    "media server leases could not be renewed ({}); stopping {} watcher(s)",
                    err.toString(),
                    watchers.size());
                watchers.values().forEach(ServerWatcher::stop);
                watchers.clear();
              }
            });
  }

  private void reconcile(List<ServerRow> rows, Set<UUID> held) {
    Map<UUID, ServerRow> byId = new HashMap<>();
    for (ServerRow r : rows) byId.put(r.id(), r);
    for (var it = watchers.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      ServerRow now = byId.get(e.getKey());
      if (!held.contains(e.getKey())
          || now == null
          || !now.enabled()
          || !e.getValue().server.sameWatch(now)) {
        e.getValue().stop();
        it.remove();
        if (now != null && held.contains(e.getKey()) && now.enabled()) {
          log.info("media server '{}' changed: watching it anew", now.name());
        } else if (now == null || !now.enabled()) {
          if (now != null) repository.release(node.nodeId(), now.id());
        } else {
          log.info("media server '{}' is now watched by another node", now.name());
        }
      }
    }
    for (UUID id : held) {
      ServerRow row = byId.get(id);
      if (row == null || !row.enabled() || watchers.containsKey(id)) continue;
      log.info(
          "watching media server '{}' ({}, {}) from this node", row.name(), row.type(), row.url());
      ServerWatcher w =
          new ServerWatcher(
              vertx, http, sockets, row, row.status(), node.metrics(), startBudget, listener);
      watchers.put(id, w);
      w.start();
    }
    refreshGauges(rows);
  }

  private void refreshGauges(List<ServerRow> rows) {
    Set<String> names = new HashSet<>();
    for (ServerRow r : rows) {
      names.add(r.name());
      Gauged g =
          gauged.computeIfAbsent(
              r.name(),
              name -> {
                Gauged fresh = new Gauged();
                node.metrics()
                    .mediaServer(
                        name, () -> "up".equals(fresh.status) ? 1 : 0, () -> fresh.sessions);
                return fresh;
              });
      ServerWatcher w = watchers.get(r.id());
      g.status = w != null ? w.status() : r.enabled() ? r.status() : "disabled";
      g.sessions = w != null ? w.sessionsSeen() : 0;
    }
    for (String gone : new ArrayList<>(gauged.keySet())) {
      if (!names.contains(gone)) {
        gauged.remove(gone);
        node.metrics().forgetMediaServer(gone);
      }
    }
  }

  private final ServerWatcher.Listener listener =
      new ServerWatcher.Listener() {
        @Override
        public void statusChanged(ServerRow server, String status, String detail) {
          Gauged g = gauged.get(server.name());
          if (g != null) g.status = status;
          repository
              .setStatus(server.id(), status, detail)
              .compose(v -> repository.find(server.id()))
              .onSuccess(
                  found ->
                      found.ifPresent(
                          json ->
                              vertx
                                  .eventBus()
                                  .publish(
                                      "up".equals(status)
                                          ? Addresses.MEDIA_SERVER_UP
                                          : Addresses.MEDIA_SERVER_DOWN,
                                      json,
                                      SharedJson.OPTIONS)))
              .onFailure(
                  err ->
                      log.warn(
                          "media server '{}': status {} could not be stored: {}",
                          server.name(),
                          status,
                          err.toString()));
        }

        @Override
        public void firstAnswer(ServerRow server) {
          MediaApi.check(http, server.type(), server.url(), server.token())
              .compose(
                  identity ->
                      repository.setIdentity(server.id(), identity.ownId(), identity.version()))
              .onFailure(
                  err ->
                      log.debug(
                          "media server '{}': identity not read: {}",
                          server.name(),
                          err.getMessage()));
        }
      };

  // ---- commands
  // ------------------------------------------------------------------------------------------------

  private void serve(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> command) {
    CommandReply.serve(msg, command, MediaServerVerticle::toProblem, SharedJson.OPTIONS);
  }

  private static Problem toProblem(Throwable err) {
    if (err instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      String constraint = String.valueOf(pg.getConstraint());
      return constraint.contains("name")
          ? Problem.conflict("name: another media server has this name")
          : Problem.conflict("This media server is already added (same server identity)");
    }
    return DatabaseErrors.toProblem(err);
  }

  /** {@code {"body", "validate"}} → 201 with the server. */
  private Future<JsonObject> create(JsonObject cmd) {
    ServerInput.Fields f = ServerInput.create(cmd.getJsonObject("body", new JsonObject()));
    boolean validate = cmd.getBoolean("validate", true);
    return repository
        .rowByName(f.name())
        .compose(
            existing -> {
              if (existing.isPresent())
                throw Problem.conflict("name: another media server is named '" + f.name() + "'");
              return validate
                  ? MediaApi.check(http, f.type(), f.url(), f.token()).map(id -> id)
                  : Future.succeededFuture((MediaApi.Identity) null);
            })
        .compose(
            identity -> {
              UUID id =
                  identity != null
                      ? MediaIds.server(f.type(), identity.ownId())
                      : UUID.randomUUID();
              return repository
                  .insert(
                      id,
                      f.name(),
                      f.type(),
                      f.url(),
                      f.token(),
                      f.enabled(),
                      f.pollIntervalSeconds(),
                      "api",
                      identity == null
                          ? null
                          : MediaServerRepository.truncate(identity.ownId(), 200),
                      identity == null || identity.version() == null
                          ? null
                          : MediaServerRepository.truncate(identity.version(), 100))
                  .compose(v -> repository.find(id));
            })
        .map(
            found -> {
              JsonObject server = found.orElseThrow();
              log.info(
                  "media server '{}' ({}, {}) added through the API", f.name(), f.type(), f.url());
              changed(server.getString("id"));
              return CommandReply.body(201, server);
            });
  }

  /** {@code {"id", "body", "validate"}} → 200 with the server; a config server is 409. */
  private Future<JsonObject> update(JsonObject cmd) {
    UUID id = UUID.fromString(cmd.getString("id"));
    boolean validate = cmd.getBoolean("validate", true);
    return repository
        .row(id)
        .compose(
            found -> {
              ServerRow current =
                  found.orElseThrow(() -> Problem.notFound("No media server " + id));
              if (current.fromConfig()) throw definedInConfig(current);
              ServerInput.Fields f =
                  ServerInput.patch(cmd.getJsonObject("body", new JsonObject()), current);
              boolean recheck =
                  validate
                      && (!f.url().equals(current.url()) || !f.token().equals(current.token()));
              Future<MediaApi.Identity> checked =
                  recheck
                      ? MediaApi.check(http, f.type(), f.url(), f.token())
                      : Future.succeededFuture(null);
              return checked
                  .compose(
                      identity ->
                          repository.update(
                              id,
                              f.name(),
                              f.url(),
                              f.token(),
                              f.enabled(),
                              f.pollIntervalSeconds(),
                              identity == null
                                  ? null
                                  : MediaServerRepository.truncate(identity.ownId(), 200),
                              identity == null || identity.version() == null
                                  ? null
                                  : MediaServerRepository.truncate(identity.version(), 100)))
                  .compose(v -> repository.find(id))
                  .map(
                      after -> {
                        if (!current.name().equals(f.name())) {
                          gauged.remove(current.name());
                          node.metrics().forgetMediaServer(current.name());
                        }
                        changed(id.toString());
                        return CommandReply.body(200, after.orElseThrow());
                      });
            });
  }

  /**
   * {@code {"id"}} → 204; its sessions stay (they end by the timeout, as for a server switched
   * off).
   */
  private Future<JsonObject> delete(JsonObject cmd) {
    UUID id = UUID.fromString(cmd.getString("id"));
    return repository
        .row(id)
        .compose(
            found -> {
              ServerRow current =
                  found.orElseThrow(() -> Problem.notFound("No media server " + id));
              if (current.fromConfig()) throw definedInConfig(current);
              return repository
                  .delete(id)
                  .map(
                      deleted -> {
                        log.info("media server '{}' deleted through the API", current.name());
                        changed(id.toString());
                        return new JsonObject().put("status", 204);
                      });
            });
  }

  private static Problem definedInConfig(ServerRow s) {
    return Problem.conflict(
        "Media server '"
            + s.name()
            + "' is defined in the config file (media_servers); change it there");
  }

  /**
   * Every node re-reads the table now: a holder stops or rebuilds its watcher without waiting for
   * its tick.
   */
  private void changed(String id) {
    vertx
        .eventBus()
        .publish(
            Addresses.MEDIA_SERVERS_CHANGED, new JsonObject().put("id", id), SharedJson.OPTIONS);
  }
}
