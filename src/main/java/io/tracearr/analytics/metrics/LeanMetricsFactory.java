package io.tracearr.analytics.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Vert.x's Micrometer metrics, with the HTTP server's per-request meters taken by {@link
 * LeanHttpServerMetrics} (same names and labels, one map look-up per request). Everything else is
 * {@link MicrometerMetricsFactory}'s.
 */
public final class LeanMetricsFactory implements VertxMetricsFactory {

  private final MicrometerMetricsFactory delegate;
  private final MeterRegistry registry;

  public LeanMetricsFactory(MeterRegistry registry) {
    this.delegate = new MicrometerMetricsFactory(registry);
    this.registry = registry;
  }

  // init(VertxBootstrap) stays the interface's: it calls this factory's metrics(options) (the
  // delegate's would install its own, bypassing the lean HTTP server meters)

  @Override
  public MetricsOptions newOptions() {
    return delegate.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return delegate.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return delegate.newOptions(json);
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    VertxMetrics inner = delegate.metrics(options);
    MetricsNaming naming =
        options.getMetricsOptions() instanceof MicrometerMetricsOptions m
            ? m.getMetricsNaming()
            : MetricsNaming.v4Names();
    return new Lean(inner, registry, naming.withBaseName(MetricsDomain.HTTP_SERVER.getPrefix()));
  }

  /** the Vert.x metrics of one Vert.x instance: every server of it shares the request meters */
  private static final class Lean implements VertxMetrics {
    private final VertxMetrics inner;
    private final MeterRegistry registry;
    private final MetricsNaming names;
    private final ConcurrentMap<LeanHttpServerMetrics.Key, LeanHttpServerMetrics.Meters> meters =
        new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LeanHttpServerMetrics.PerMethod> perMethod =
        new ConcurrentHashMap<>();

    Lean(VertxMetrics inner, MeterRegistry registry, MetricsNaming names) {
      this.inner = inner;
      this.registry = registry;
      this.names = names;
    }

    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(
        HttpServerOptions options, SocketAddress localAddress) {
      HttpServerMetrics<?, ?, ?> http = inner.createHttpServerMetrics(options, localAddress);
      return http == null
          ? null
          : new LeanHttpServerMetrics(http, registry, names, meters, perMethod);
    }

    @Override
    public EventBusMetrics createEventBusMetrics() {
      return inner.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(
        SocketAddress remoteAddress, String type, String namespace) {
      return inner.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return inner.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(
        NetServerOptions options, SocketAddress localAddress) {
      return inner.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return inner.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return inner.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String poolType, String poolName, int maxPoolSize) {
      return inner.createPoolMetrics(poolType, poolName, maxPoolSize);
    }

    @Override
    public void vertxCreated(io.vertx.core.Vertx vertx) {
      inner.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return inner.isMetricsEnabled();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
