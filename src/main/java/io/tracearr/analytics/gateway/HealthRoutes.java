package io.tracearr.analytics.gateway;

import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready} (it can do its job). No
 * token needed.
 */
public final class HealthRoutes {

  private final NodeContext node;
  private final Supplier<JsonObject> extraChecks;
  private final Supplier<Future<JsonArray>> mediaServers;

  /**
   * @param extraChecks informational checks that do not decide readiness (e.g. {@code geoip:
   *     disabled})
   */
  public HealthRoutes(NodeContext node, Supplier<JsonObject> extraChecks) {
    this(node, extraChecks, () -> Future.succeededFuture(new JsonArray()));
  }

  /**
   * @param mediaServers each media server's status ({@code up}, {@code unreachable}, {@code
   *     unauthorized}...): informational, a media server being down never makes this node unready
   */
  public HealthRoutes(
      NodeContext node,
      Supplier<JsonObject> extraChecks,
      Supplier<Future<JsonArray>> mediaServers) {
    this.node = node;
    this.extraChecks = extraChecks;
    this.mediaServers = mediaServers;
  }

  public void mount(Router router) {
    router
        .get("/health/live")
        .handler(rc -> HttpReplies.json(rc, 200, new JsonObject().put("status", "up")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext rc) {
    Future<String> db =
        node.pool()
            .query("SELECT 1")
            .execute()
            .map(r -> "up")
            .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
            .otherwise(err -> "down");
    Future<JsonArray> servers =
        mediaServers.get().timeout(2, java.util.concurrent.TimeUnit.SECONDS).otherwise(err -> null);
    Future.join(db, servers)
        .onComplete(
            ar -> {
              String database = db.result();
              boolean deployed = node.ready().get();
              JsonObject checks =
                  new JsonObject()
                      .put("database", database)
                      .put("verticles", deployed ? "deployed" : "starting");
              boolean clusterOk = true;
              if (node.clustered()) {
                boolean active = node.clusterManager().isActive();
                clusterOk = active;
                checks.put(
                    "cluster",
                    new JsonObject()
                        .put("status", active ? "joined" : "left")
                        .put("members", active ? node.clusterMembers() : 0)
                        .put("node_id", node.nodeId()));
              } else {
                checks.put(
                    "cluster",
                    new JsonObject()
                        .put("status", "standalone")
                        .put("members", 1)
                        .put("node_id", node.nodeId()));
              }
              checks.mergeIn(extraChecks.get());
              if (servers.result() != null) checks.put("media_servers", servers.result());
              checks.mergeIn(node.health().checks());
              boolean ok =
                  "up".equals(database)
                      && deployed
                      && clusterOk
                      && !node.health().blocksReadiness();
              HttpReplies.json(
                  rc,
                  ok ? 200 : 503,
                  new JsonObject()
                      .put("status", ok ? "ready" : "not_ready")
                      .put("version", node.version())
                      .put("checks", checks));
            });
  }
}
