package io.tracearr.analytics.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MetricsNaming;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-request meters of the HTTP server, with the names, types and labels of Vert.x's own
 * ({@code vertx_http_server_requests_total}, {@code _response_time_seconds}, {@code
 * _response_bytes} by method, code and route; {@code _request_bytes}, {@code _active_requests} by
 * method; {@code _request_resets_total}), at a fraction of their cost. Vert.x's implementation
 * builds a {@code Tags} list, a route chain string and five registry look-ups for every request: 15
 * % of the service's CPU in bench/run's data phase (issue 17, session 8). Here a request keeps its
 * method, its start and the last two routes it matched; the meters of a (method, code, routes)
 * combination are looked up once in a map keyed by those objects and kept, so a request costs one
 * map look-up and four adder updates. Route labels are {@link RouteLabel#tidy} of the chain, as
 * before. Connection, byte and WebSocket meters stay Vert.x's ({@code delegate}).
 */
final class LeanHttpServerMetrics
    implements HttpServerMetrics<LeanHttpServerMetrics.Req, Object, Object> {

  private final HttpServerMetrics<Object, Object, Object> delegate;
  private final MeterRegistry registry;
  private final String activeName;
  private final String requestsName;
  private final String requestBytesName;
  private final String responseTimeName;
  private final String responseBytesName;
  private final String resetsName;

  /** shared by every server of the process: meters are process-wide anyway */
  private final ConcurrentMap<Key, Meters> meters;

  /** by the method's name (a constant whose hash is kept; HttpMethod's own is recomputed) */
  private final ConcurrentMap<String, PerMethod> perMethod;

  @SuppressWarnings("unchecked")
  LeanHttpServerMetrics(
      HttpServerMetrics<?, ?, ?> delegate,
      MeterRegistry registry,
      MetricsNaming names,
      ConcurrentMap<Key, Meters> meters,
      ConcurrentMap<String, PerMethod> perMethod) {
    this.delegate = (HttpServerMetrics<Object, Object, Object>) delegate;
    this.registry = registry;
    this.activeName = names.getHttpActiveRequests();
    this.requestsName = names.getHttpRequestsCount();
    this.requestBytesName = names.getHttpRequestBytes();
    this.responseTimeName = names.getHttpResponseTime();
    this.responseBytesName = names.getHttpResponseBytes();
    this.resetsName = names.getHttpRequestResetsCount();
    this.meters = meters;
    this.perMethod = perMethod;
  }

  /** One request: its method's meters, its start, and the last two distinct routes it matched. */
  static final class Req {
    final PerMethod method;
    final long start = System.nanoTime();
    String mount;
    String leaf;
    boolean ended;

    Req(PerMethod method) {
      this.method = method;
    }
  }

  /** the meters labelled by method alone */
  static final class PerMethod {
    final String method;
    final LongAdder active = new LongAdder();
    final DistributionSummary requestBytes;
    final Counter resets;

    PerMethod(
        String m,
        MeterRegistry registry,
        String activeName,
        String requestBytesName,
        String resetsName) {
      this.method = m;
      Gauge.builder(activeName, active, LongAdder::doubleValue)
          .description("Number of requests being processed")
          .tag("method", m)
          .register(registry);
      this.requestBytes =
          DistributionSummary.builder(requestBytesName)
              .description("Size of requests in bytes")
              .tag("method", m)
              .register(registry);
      this.resets =
          Counter.builder(resetsName)
              .description("Number of request resets")
              .tag("method", m)
              .register(registry);
    }
  }

  /**
   * A combination of labels, by the identity of route strings Vert.x Web hands over (each route's
   * own path, a constant): equal keys may still be different objects, so equality is by value.
   */
  record Key(String method, int code, String mount, String leaf) {}

  /** the meters labelled by method, code and route */
  record Meters(Counter requests, Timer time, DistributionSummary responseBytes) {}

  private PerMethod perMethod(HttpMethod method) {
    String name = method.name();
    PerMethod p = perMethod.get(name);
    if (p != null) return p;
    return perMethod.computeIfAbsent(
        name, m -> new PerMethod(m, registry, activeName, requestBytesName, resetsName));
  }

  private Meters meters(Key key) {
    Meters m = meters.get(key);
    if (m != null) return m;
    return meters.computeIfAbsent(
        key,
        k -> {
          String method = k.method();
          String code = Integer.toString(k.code());
          String route = routeLabel(k.mount(), k.leaf());
          return new Meters(
              Counter.builder(requestsName)
                  .description("Number of processed requests")
                  .tags("method", method, "code", code, "route", route)
                  .register(registry),
              Timer.builder(responseTimeName)
                  .description("Request processing time")
                  .tags("method", method, "code", code, "route", route)
                  .register(registry),
              DistributionSummary.builder(responseBytesName)
                  .description("Size of responses in bytes")
                  .tags("method", method, "code", code, "route", route)
                  .register(registry));
        });
  }

  /**
   * The label {@link RouteLabel#tidy} gives the whole chain: it reads only the last two distinct
   * routes.
   */
  static String routeLabel(String mount, String leaf) {
    if (leaf == null) return "";
    return mount == null ? leaf : RouteLabel.tidy(mount + ">" + leaf);
  }

  // ---- requests: ours

  @Override
  public Req requestBegin(Object socketMetric, HttpRequest request) {
    Req r = new Req(perMethod(request.method()));
    r.method.active.increment();
    return r;
  }

  @Override
  public void requestRouted(Req r, String route) {
    if (r == null || route == null || route.isEmpty() || route.equals(r.leaf)) return;
    r.mount = r.leaf;
    r.leaf = route;
  }

  @Override
  public void requestEnd(Req r, HttpRequest request, long bytesRead) {
    if (r != null) r.method.requestBytes.record(bytesRead);
  }

  @Override
  public void requestReset(Req r) {
    if (r == null || r.ended) return;
    r.ended = true;
    r.method.resets.increment();
    r.method.active.decrement();
  }

  @Override
  public void responseEnd(Req r, HttpResponse response, long bytesWritten) {
    if (r == null || r.ended) return;
    r.ended = true;
    r.method.active.decrement();
    Meters m = meters(new Key(r.method.method, response.statusCode(), r.mount, r.leaf));
    m.requests().increment();
    m.time().record(System.nanoTime() - r.start, TimeUnit.NANOSECONDS);
    m.responseBytes().record(bytesWritten);
  }

  @Override
  public Req responsePushed(
      Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
    Req r = new Req(perMethod(method));
    r.method.active.increment();
    return r;
  }

  // ---- connections, bytes and WebSockets: Vert.x's

  @Override
  public Object connected(Object socketMetric, Req request, ServerWebSocket webSocket) {
    // Vert.x's WebSocket gauge reads only the connection's metric, never the request's
    return delegate.connected(socketMetric, null, webSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    delegate.disconnected(webSocketMetric);
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return delegate.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    delegate.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    delegate.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    delegate.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    delegate.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
