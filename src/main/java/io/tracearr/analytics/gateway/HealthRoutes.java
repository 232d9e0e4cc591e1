package io.tracearr.analytics.gateway;

import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/** {@code /health/live} (the process answers) and {@code /health/ready} (it can do its job). No token needed. */
public final class HealthRoutes {

  private final NodeContext node;
  private final Supplier<JsonObject> extraChecks;

  /** @param extraChecks informational checks that do not decide readiness (e.g. {@code geoip: disabled}) */
  public HealthRoutes(NodeContext node, Supplier<JsonObject> extraChecks) {
    this.node = node;
    this.extraChecks = extraChecks;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(rc -> HttpReplies.json(rc, 200, new JsonObject().put("status", "up")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext rc) {
    Future<String> db = node.pool().query("SELECT 1").execute()
        .map(r -> "up")
        .timeout(2, java.util.concurrent.TimeUnit.SECONDS)
        .otherwise(err -> "down");
    db.onComplete(ar -> {
      String database = ar.result();
      boolean deployed = node.ready().get();
      JsonObject checks = new JsonObject()
          .put("database", database)
          .put("verticles", deployed ? "deployed" : "starting");
      boolean clusterOk = true;
      if (node.clustered()) {
        boolean active = node.clusterManager().isActive();
        clusterOk = active;
        checks.put("cluster", new JsonObject().put("status", active ? "joined" : "left")
            .put("members", active ? node.clusterMembers() : 0).put("node_id", node.nodeId()));
      } else {
        checks.put("cluster", new JsonObject().put("status", "standalone").put("members", 1).put("node_id", node.nodeId()));
      }
      checks.mergeIn(extraChecks.get());
      boolean ok = "up".equals(database) && deployed && clusterOk;
      HttpReplies.json(rc, ok ? 200 : 503, new JsonObject()
          .put("status", ok ? "ready" : "not_ready")
          .put("version", node.version())
          .put("checks", checks));
    });
  }
}
