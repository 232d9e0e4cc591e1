package io.tracearr.analytics.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
