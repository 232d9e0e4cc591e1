package io.tracearr.analytics.bench;

import io.tracearr.analytics.bus.Addresses;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * Benchmark-only listener, off unless {@code ANALYTICS_BENCH_BARE_PORT} is set (see {@code
 * bench/run} and {@code docs/benchmarks.md}); never part of a production configuration. It binds
 * 127.0.0.1 only and serves:
 *
 * <ul>
 *   <li>{@code PUT /api/v1/analytics/sessions/:id} answered 204 by a bare Vert.x route after
 *       reading the body: the physical limit the heartbeat path is compared with, measured in the
 *       same JVM, on the same event loops and with the same number of server instances as the
 *       gateway;
 *   <li>{@code POST /bench/rollup}: runs the aggregator's own roll-up ({@code stats.rollup} on the
 *       local bus) and answers how long it took, so the back-fill is timed through the real code
 *       path. 501 when no aggregator consumes that address.
 * </ul>
 *
 * No authentication: it is only reachable from the machine, and only when a benchmark switches it
 * on.
 */
public final class BenchListener extends VerticleBase {

  /** The environment variable that switches the listener on (a port; absent, empty or 0 = off). */
  public static final String ENV = "ANALYTICS_BENCH_BARE_PORT";

  /** A full back-fill of 10 M sessions takes minutes; the harness bounds the call itself. */
  private static final DeliveryOptions ROLLUP = new DeliveryOptions().setSendTimeout(3_600_000);

  private final int port;
  private HttpServer server;

  BenchListener(int port) {
    this.port = port;
  }

  /**
   * Deploys {@code instances} listeners when the switch is on; completes with the deployment id or
   * null.
   */
  public static Future<String> deployIfEnabled(
      Vertx vertx, Map<String, String> env, int instances) {
    String value = env.get(ENV);
    if (value == null || value.isBlank() || value.trim().equals("0"))
      return Future.succeededFuture(null);
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return Future.failedFuture(
          new IllegalArgumentException(ENV + " must be a port number, got '" + value + "'"));
    }
    return vertx.deployVerticle(
        () -> new BenchListener(port), new DeploymentOptions().setInstances(instances));
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router
        .put("/api/v1/analytics/sessions/:id")
        .handler(
            rc -> rc.request().body().onComplete(body -> rc.response().setStatusCode(204).end()));
    router
        .post("/bench/rollup")
        .handler(
            rc -> {
              long t0 = System.nanoTime();
              vertx
                  .eventBus()
                  .<JsonObject>request(Addresses.STATS_ROLLUP, new JsonObject(), ROLLUP)
                  .onComplete(
                      ar -> {
                        double ms = (System.nanoTime() - t0) / 1e6;
                        JsonObject out = new JsonObject().put("elapsed_ms", ms);
                        int status = 200;
                        if (ar.succeeded()) {
                          out.put("result", ar.result().body());
                        } else {
                          status =
                              ar.cause() instanceof ReplyException re
                                      && re.failureType() == ReplyFailure.NO_HANDLERS
                                  ? 501
                                  : 503;
                          out.put("error", String.valueOf(ar.cause().getMessage()));
                        }
                        rc.response()
                            .setStatusCode(status)
                            .putHeader("Content-Type", "application/json")
                            .end(out.toBuffer());
                      });
            });
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(port, "127.0.0.1")
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
