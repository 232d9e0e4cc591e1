package io.tracearr.analytics.db;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The connection pool every verticle of a node shares, and the registry's own connection for
 * heartbeat flushes.
 */
public final class Database {

  private Database() {}

  public static Pool pool(Vertx vertx, DatabaseUrl url, AppConfig.Database cfg) {
    return pool(vertx, url, cfg, cfg.poolSize(), "tracearr-pg");
  }

  /** One connection for the registry's heartbeat flushes, which it writes one batch at a time. */
  public static Pool heartbeatPool(Vertx vertx, DatabaseUrl url, AppConfig.Database cfg) {
    return pool(vertx, url, cfg, 1, "tracearr-pg-heartbeats");
  }

  private static Pool pool(
      Vertx vertx, DatabaseUrl url, AppConfig.Database cfg, int size, String name) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(url.host())
            .setPort(url.port())
            .setDatabase(url.database())
            .setUser(url.user())
            .setPassword(url.password())
            .setCachePreparedStatements(true)
            .setPreparedStatementCacheMaxSize(256)
            .setPipeliningLimit(256)
            .setReconnectAttempts(0);
    // A bounded wait queue makes overload (or an outage) fail fast instead of queueing without end.
    PoolOptions pool =
        new PoolOptions()
            .setMaxSize(size)
            .setMaxWaitQueueSize(cfg.maxWaitQueue())
            .setConnectionTimeout(cfg.connectTimeoutMs())
            .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
            .setIdleTimeout(60)
            .setName(name)
            .setShared(false);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
