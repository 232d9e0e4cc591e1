package io.tracearr.analytics.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.MetricsNaming;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteLabelTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("a single route is kept", "/metrics", "/metrics"),
        Arguments.of("no route matched", "", ""),
        Arguments.of(
            "prefix handlers then a sub-router route",
            "/api/v1/>/api/v1/>/api/v1/>/api/v1/>/analytics/sessions/:id",
            "/api/v1/analytics/sessions/:id"),
        Arguments.of(
            "a failure re-walks the chain",
            "/api/v1/>/api/v1/>/analytics/sessions/:id>/api/v1/>/analytics/sessions/:id",
            "/api/v1/analytics/sessions/:id"),
        Arguments.of(
            "only prefix handlers matched (unknown API path)",
            "/api/v1/>/api/v1/>/api/v1/",
            "/api/v1/"),
        Arguments.of("a leaf after a non-prefix route", "/health/ready>/other", "/other"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tidiesTheRouteChain(String name, String chain, String label) {
    assertEquals(label, RouteLabel.tidy(chain));
  }

  /**
   * The HTTP server meters keep only the last two distinct routes a request matched, one {@code
   * requestRouted} call at a time: the label must be the whole chain's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theRequestMetersLabelAsTheWholeChain(String name, String chain, String label) {
    LeanHttpServerMetrics metrics =
        new LeanHttpServerMetrics(
            null,
            new SimpleMeterRegistry(),
            MetricsNaming.v4Names(),
            new ConcurrentHashMap<>(),
            new ConcurrentHashMap<>());
    LeanHttpServerMetrics.Req request = new LeanHttpServerMetrics.Req(null);
    for (String route : chain.split(">", -1)) metrics.requestRouted(request, route);
    assertEquals(label, LeanHttpServerMetrics.routeLabel(request.mount, request.leaf));
  }
}
