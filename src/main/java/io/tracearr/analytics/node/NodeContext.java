package io.tracearr.analytics.node;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.geo.GeoLocator;
import io.tracearr.analytics.metrics.DomainMetrics;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every verticle of one node shares: its configuration, the database pool, meters and
 * identity. Built once by {@link Application} and handed to each verticle's constructor. {@code
 * geo} is {@link GeoLocator#disabled()} when no readable GeoIP database is configured. {@code
 * heartbeatPool} is one connection of the registry's own for heartbeat flushes: a batch of
 * thousands of rows never sits in front of a start, an end or a sharing judgement pipelined on the
 * same connection (bench/run scenario 3). {@code health} is where concerns report their own state
 * for {@code /health/ready}.
 */
public record NodeContext(
    AppConfig config,
    Pool pool,
    String nodeId,
    String version,
    PrometheusMeterRegistry prometheus,
    DomainMetrics metrics,
    ClusterManager clusterManager,
    AtomicBoolean ready,
    GeoLocator geo,
    Pool heartbeatPool,
    HealthBoard health) {

  public boolean clustered() {
    return clusterManager != null;
  }

  public int clusterMembers() {
    return clusterManager == null ? 1 : clusterManager.getNodes().size();
  }
}
