package io.tracearr.analytics.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} after real traffic: the domain meters move, labels stay bounded, promtool
 * accepts it.
 */
class MetricsTest {

  private static final String SESSIONS = "/api/v1/analytics/sessions";
  private static final Pattern UUID_LIKE = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-");
  private static final Pattern IPV4_LIKE =
      Pattern.compile("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b");

  /** Names the JVM/process binders choose; promtool's naming lint about them is not ours to fix. */
  private static final Pattern BINDER_NAME = Pattern.compile("^(jvm|process|system)_\\S*\\s");

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  static Scrape scrape(TestNode on) {
    HttpResponse<Buffer> r = on.get("/metrics", null);
    assertEquals(200, r.statusCode());
    assertTrue(
        r.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"),
        r.getHeader("Content-Type"));
    return Scrape.parse(r.bodyAsString());
  }

  /**
   * Starts three sessions, sends heartbeats to each (with addresses and ids in bodies and paths),
   * ends two.
   */
  static List<String> traffic(TestNode on) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      var started =
          on.post(
              SESSIONS,
              TestNode.INGEST_KEY,
              SessionBodies.start(UUID.randomUUID(), "device-" + i, "81.2.69." + (10 + i)));
      assertEquals(201, started.statusCode(), started.bodyAsString());
      ids.add(started.bodyAsJsonObject().getString("id"));
    }
    for (String id : ids) {
      for (int p = 1; p <= 2; p++) {
        var hb =
            on.put(
                SESSIONS + "/" + id,
                TestNode.INGEST_KEY,
                new JsonObject()
                    .put("status", "playing")
                    .put("position_seconds", 10 * p)
                    .put("ip_address", "72.229.28.1" + p));
        assertEquals(204, hb.statusCode(), hb.bodyAsString());
      }
    }
    for (String id : ids.subList(0, 2)) {
      assertEquals(204, on.delete(SESSIONS + "/" + id, TestNode.INGEST_KEY, null).statusCode());
    }
    assertEquals(404, on.get(SESSIONS + "/" + UUID.randomUUID(), TestNode.VIEWER_KEY).statusCode());
    return ids;
  }

  @Test
  void domainMetersMoveWithRealTraffic() {
    Scrape before = scrape(node);
    traffic(node);
    Await.until(
        Duration.ofSeconds(10),
        "a heartbeat batch was flushed and counted",
        () ->
            scrape(node).sum("analytics_heartbeat_flush_batch_size_count")
                > before.sum("analytics_heartbeat_flush_batch_size_count"));
    Scrape after = scrape(node);

    assertEquals(
        3,
        after.sum("analytics_sessions_started_total")
            - before.sum("analytics_sessions_started_total"));
    assertEquals(
        6,
        after.sum("analytics_heartbeats_accepted_total")
            - before.sum("analytics_heartbeats_accepted_total"));
    Map<String, String> client = Map.of("reason", "client");
    assertEquals(
        2,
        after.sum("analytics_sessions_ended_total", client)
            - before.sum("analytics_sessions_ended_total", client));
    assertEquals("counter", after.types().get("analytics_sessions_ended_total"));

    // every heartbeat of the three sessions is in some batch: batch sizes add up to at least one
    // per session
    double batches =
        after.sum("analytics_heartbeat_flush_batch_size_count")
            - before.sum("analytics_heartbeat_flush_batch_size_count");
    double flushed =
        after.sum("analytics_heartbeat_flush_batch_size_sum")
            - before.sum("analytics_heartbeat_flush_batch_size_sum");
    assertTrue(
        batches >= 1 && flushed >= 3, "batches " + batches + ", sessions flushed " + flushed);
    assertEquals(
        after.sum("analytics_heartbeat_flush_batch_size_count"),
        after.sum("analytics_heartbeat_flush_batch_size_bucket", Map.of("le", "+Inf")));
    assertEquals(
        after.sum("analytics_heartbeat_flush_batch_size_count"),
        after.sum("analytics_heartbeat_flush_duration_seconds_count"));
    assertEquals("histogram", after.types().get("analytics_heartbeat_flush_duration_seconds"));

    // the active-sessions gauge is recounted from the database every few seconds
    long open = node.count("SELECT count(*) FROM playback_sessions WHERE ended_at IS NULL");
    Await.until(
        Duration.ofSeconds(15),
        "analytics_sessions_active = " + open,
        () -> scrape(node).sum("analytics_sessions_active") == open);

    // the HTTP server meters count the requests by method, status and route template
    assertTrue(
        after.sum("vertx_http_server_requests_total", Map.of("method", "POST", "code", "201")) >= 3,
        after.text());
    assertTrue(
        after.sum("vertx_http_server_requests_total", Map.of("method", "PUT", "code", "204")) >= 6);
    // each request is timed and its response sized under the same labels; request sizes and the
    // requests in flight by method alone
    Map<String, String> heartbeats =
        Map.of("method", "PUT", "code", "204", "route", "/api/v1/analytics/sessions/:id");
    double counted = after.sum("vertx_http_server_requests_total", heartbeats);
    assertTrue(counted >= 6, after.text());
    assertEquals(counted, after.sum("vertx_http_server_response_time_seconds_count", heartbeats));
    assertEquals(counted, after.sum("vertx_http_server_response_bytes_count", heartbeats));
    assertEquals("summary", after.types().get("vertx_http_server_response_time_seconds"));
    assertTrue(
        after.sum("vertx_http_server_request_bytes_count", Map.of("method", "POST")) >= 3,
        after.text());
    assertTrue(after.has("vertx_http_server_active_requests", Map.of("method", "PUT")));
    assertTrue(
        after.sum(
                "vertx_pool_completed_total",
                Map.of("pool_type", "sql", "pool_name", "tracearr-pg"))
            > 0);
  }

  @Test
  void buildInfoAndProcessMetersAreExposed() {
    Scrape s = scrape(node);
    assertEquals(
        1.0,
        s.sum("analytics_build_info", Map.of("version", node.app().node().version())),
        s.text());
    for (String name :
        List.of(
            "process_uptime_seconds",
            "process_cpu_usage",
            "process_files_open_files",
            "process_files_max_files",
            "process_start_time_seconds",
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "system_cpu_count",
            "analytics_sessions_active",
            "analytics_alerts_open",
            "analytics_live_connections",
            "analytics_heartbeats_pending")) {
      assertTrue(s.has(name, Map.of()), name + " missing from the scrape");
    }
  }

  @Test
  void labelValuesAreBounded() {
    traffic(node);
    Scrape s = scrape(node);
    for (Scrape.Sample sample : s.samples()) {
      for (var label : sample.labels().entrySet()) {
        String v = label.getValue();
        assertTrue(
            !UUID_LIKE.matcher(v).find() && !IPV4_LIKE.matcher(v).find(),
            "unbounded label value " + sample.name() + "{" + label.getKey() + "=\"" + v + "\"}");
      }
    }
    // requests for many sessions share one series per route template, not one per session path
    List<String> routes =
        s.samples().stream()
            .filter(
                x ->
                    x.name().equals("vertx_http_server_requests_total")
                        && "PUT".equals(x.labels().get("method")))
            .map(x -> x.labels().get("route"))
            .distinct()
            .toList();
    assertEquals(List.of("/api/v1/analytics/sessions/:id"), routes);
  }

  @Test
  void promtoolAcceptsTheScrapeAfterTraffic() throws Exception {
    traffic(node);
    Await.until(
        Duration.ofSeconds(10),
        "ended sessions counted",
        () -> scrape(node).has("analytics_sessions_ended_total", Map.of("reason", "client")));
    Scrape s = scrape(node);
    // kept for whoever reads a failed CI run
    java.nio.file.Files.writeString(
        java.nio.file.Path.of("target", "metrics-scrape.txt"), s.text());
    Scrape.Verdict verdict = s.promtool();
    // exit 0: clean; 3: lint findings only; anything else (1: parse error) fails
    assertTrue(
        verdict.exitCode() == 0 || verdict.exitCode() == 3,
        "promtool check metrics exit "
            + verdict.exitCode()
            + ": "
            + verdict.lines()
            + "\n--- scrape ---\n"
            + s.text());
    List<String> ours =
        verdict.lines().stream().filter(l -> !BINDER_NAME.matcher(l).find()).toList();
    assertEquals(List.of(), ours, "promtool findings outside the JVM/process binders' names");
  }

  @Test
  void promtoolRejectsAnExpositionThatDoesNotParse() throws Exception {
    Scrape broken =
        Scrape.parse(
            "# HELP analytics_x_total Xs\n# TYPE analytics_x_total counter\nanalytics_x_total 1\n");
    Scrape.Verdict ok = broken.promtool();
    assertEquals(0, ok.exitCode(), ok.lines().toString());
    Scrape.Verdict bad = new BrokenText("analytics_x_total{reason=\"client} 1\n").promtool();
    assertEquals(1, bad.exitCode(), "a parse error must fail the check: " + bad.lines());
  }

  @Test
  void metricsPortGivesTheScrapeItsOwnListener() {
    try (TestNode own = nodeWithOwnMetricsPort()) {
      int port = own.app().metricsPort();
      assertEquals(own.app().config().metrics().port(), port);
      assertNotEquals(own.port(), port);
      HttpResponse<Buffer> r =
          TestNode.await(own.client().get(port, "127.0.0.1", "/prometheus").send());
      assertEquals(200, r.statusCode());
      assertTrue(Scrape.parse(r.bodyAsString()).has("analytics_build_info", Map.of()));
      assertEquals(
          404,
          TestNode.await(
                  own.client().get(port, "127.0.0.1", "/api/v1/analytics/sessions/active").send())
              .statusCode());
      // the API port no longer serves it, under either path
      assertEquals(404, own.get("/prometheus", null).statusCode());
      assertEquals(404, own.get("/metrics", null).statusCode());
    }
  }

  /**
   * {@code metrics.port 0} means "on the HTTP port", so this listener cannot ask for an ephemeral
   * port: it takes a random one below the ephemeral range (where no client socket sits) and, should
   * something else hold it, another, instead of probing a port free and hoping it stays so.
   */
  private static TestNode nodeWithOwnMetricsPort() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try {
        return TestNode.start(
            new JsonObject()
                .put("metrics", new JsonObject().put("port", port).put("path", "/prometheus")));
      } catch (IllegalStateException e) {
        if (!bindFailure(e)) throw e;
        last = e;
      }
    }
    throw last;
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) return true;
    }
    return false;
  }

  /** Raw text handed to promtool without our own parse first. */
  private record BrokenText(String text) {
    Scrape.Verdict promtool() throws Exception {
      return Scrape.unparsed(text).promtool();
    }
  }
}
