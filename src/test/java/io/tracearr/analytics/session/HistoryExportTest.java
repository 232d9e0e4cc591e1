package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CSV export of 100 000 sessions: read through a client that keeps nothing (it counts bytes and
 * line ends), paused part-way to show that the server stops fetching rows while the client does not
 * read (back-pressure: memory bounded by the socket's write queue, not by the row count), and
 * aborted part-way to show the query stops and its connection goes back to the pool; and the cap of
 * exports one gateway instance streams at once.
 */
class HistoryExportTest {

  static final int ROWS = 100_000;

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put("analytics", new JsonObject().put("rollup_interval_seconds", 86_400))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400))
              // one gateway instance: its cap of concurrent exports is the node's
              .put("http", new JsonObject().put("instances", 1)));

  static final TestNode node = nodes.node();
  static HttpClient client;

  @BeforeAll
  static void seed() {
    // ended sessions over the last 20 days, one title with a comma so every row needs no newline
    node.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_key, ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason)
        SELECT gen_random_uuid(), ('90000000-0000-0000-0000-' || lpad((i %% 500)::text, 12, '0'))::uuid, 'movie',
               gen_random_uuid(), 'Title, number ' || i, 'Client', 'Device ' || (i %% 50), 'k', '10.0.0.1', 'ended',
               now() - (i * interval '15 seconds') - interval '1 hour',
               now() - (i * interval '15 seconds') - interval '30 minutes',
               now() - (i * interval '15 seconds') - interval '30 minutes', 1800, 'client'
        FROM generate_series(1, %d) i"""
            .formatted(ROWS));
    client = node.clientVertx().createHttpClient();
  }

  static Counter exported() {
    return node.app().node().metrics().registry().find("analytics_history_export_rows").counter();
  }

  static long exportedRows() {
    Counter c = exported();
    return c == null ? 0 : (long) c.count();
  }

  static long busyExportBackends() {
    return node.count(
        "SELECT count(*) FROM pg_stat_activity WHERE state <> 'idle' AND query LIKE '%session history export%' "
            + "AND pid <> pg_backend_pid()");
  }

  @Test
  void aHundredThousandRowsStreamWithBackPressure() {
    long before = exportedRows();
    AtomicLong bytes = new AtomicLong();
    AtomicLong lines = new AtomicLong();
    CompletableFuture<Void> done = new CompletableFuture<>();
    HttpClientResponse res = openSmallRange();
    assertEquals(200, res.statusCode());
    assertTrue(res.getHeader("Content-Type").startsWith("text/csv"));
    res.pause();
    res.handler(
        buf -> {
          bytes.addAndGet(buf.length());
          for (int i = 0; i < buf.length(); i++)
            if (buf.getByte(i) == '\n') lines.incrementAndGet();
        });
    res.endHandler(v -> done.complete(null));
    res.exceptionHandler(done::completeExceptionally);
    // the client reads one chunk and stops
    res.fetch(1);
    Await.until(Duration.ofSeconds(30), "the first chunk", () -> bytes.get() > 0);
    // the server fills the socket and then waits: the rows it produced stop growing well short of
    // all of them
    long[] last = {-1};
    int[] stable = {0};
    Await.until(
        Duration.ofSeconds(30),
        "the export to stop while the client does not read",
        () -> {
          long now = exportedRows() - before;
          stable[0] = now == last[0] ? stable[0] + 1 : 0;
          last[0] = now;
          return stable[0] >= 20; // unchanged over 20 polls (~0.5 s)
        });
    long produced = exportedRows() - before;
    assertTrue(produced < ROWS / 2, "rows produced while the client read nothing: " + produced);
    assertEquals(1, busyExportBackends(), "its cursor waits in its transaction");
    // now read everything
    res.resume();
    Await.until(Duration.ofSeconds(120), "the whole export", done::isDone);
    assertEquals(
        ROWS + 1,
        lines.get(),
        "a header and every row; rows the server wrote: "
            + (exportedRows() - before)
            + ", ended with "
            + done);
    assertEquals(ROWS, exportedRows() - before);
    assertTrue(bytes.get() > 10_000_000L, "bytes: " + bytes.get());
    Await.until(
        Duration.ofSeconds(10), "the export's connection back", () -> busyExportBackends() == 0);
  }

  static HttpClientResponse openSmallRange() {
    return TestNode.await(
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost("localhost")
                    .setPort(node.port())
                    .setURI(
                        "/api/v1/analytics/sessions/history?start="
                            + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(60)
                            + "&format=csv")
                    .putHeader("Authorization", "Bearer " + TestNode.ADMIN_KEY))
            // paused on the event loop as the headers arrive: no chunk reaches a handler not yet
            // set
            .compose(req -> req.send().map(r -> r.pause())));
  }

  @Test
  void anAbortedExportStopsItsQueryAndFreesItsConnection() {
    long before = exportedRows();
    HttpClientResponse res = openSmallRange();
    assertEquals(200, res.statusCode());
    AtomicLong bytes = new AtomicLong();
    res.pause();
    res.handler(buf -> bytes.addAndGet(buf.length()));
    res.fetch(1);
    Await.until(Duration.ofSeconds(30), "the first chunk", () -> bytes.get() > 0);
    Await.until(
        Duration.ofSeconds(10), "the export's cursor open", () -> busyExportBackends() == 1);
    // the client goes away mid-export
    res.request().connection().close();
    Await.until(
        Duration.ofSeconds(10),
        "the export's query stopped, its connection idle",
        () -> busyExportBackends() == 0);
    long produced = exportedRows() - before;
    assertTrue(produced < ROWS, "stopped part-way: " + produced);
    // and the node's pool serves as before
    assertEquals(
        200,
        node.get("/api/v1/analytics/sessions/history?limit=1", TestNode.VIEWER_KEY).statusCode());
  }

  /**
   * README: each gateway instance streams at most 2 exports at once, more get 503 with Retry-After.
   * Two exports held open by clients that stop reading; a third is refused as problem+json, and
   * once one of the two has gone another is served.
   */
  @Test
  void aThirdConcurrentExportGets503UntilOneOfTheTwoEnds() {
    List<HttpClientResponse> open = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) open.add(openAndStall());
      Await.until(
          Duration.ofSeconds(10), "both exports' cursors open", () -> busyExportBackends() == 2);

      HttpResponse<Buffer> third = csv();
      assertEquals(503, third.statusCode(), third.bodyAsString());
      assertTrue(
          third.getHeader("Content-Type").startsWith("application/problem+json"),
          third.getHeader("Content-Type"));
      assertEquals("5", third.getHeader("Retry-After"));
      assertTrue(third.bodyAsString().contains("CSV exports"), third.bodyAsString());
      assertEquals(2, busyExportBackends(), "the refused export ran no query");

      // one client goes away: its place is free again
      open.remove(0).request().connection().close();
      Await.until(
          Duration.ofSeconds(10),
          "the closed export's connection back",
          () -> busyExportBackends() == 1);
      open.add(openAndStall());
      Await.until(
          Duration.ofSeconds(10), "the new export's cursor open", () -> busyExportBackends() == 2);
    } finally {
      for (HttpClientResponse res : open) res.request().connection().close();
      Await.until(
          Duration.ofSeconds(10),
          "every export's connection back",
          () -> busyExportBackends() == 0);
    }
  }

  /** An export whose client reads its first chunk and then nothing: it stays open. */
  private static HttpClientResponse openAndStall() {
    HttpClientResponse res = openSmallRange();
    assertEquals(200, res.statusCode());
    AtomicLong bytes = new AtomicLong();
    res.handler(buf -> bytes.addAndGet(buf.length()));
    res.fetch(1);
    Await.until(Duration.ofSeconds(30), "the first chunk", () -> bytes.get() > 0);
    return res;
  }

  /** The same export read whole by the test node's web client (for an answer that is refused). */
  private static HttpResponse<Buffer> csv() {
    return node.get(
        "/api/v1/analytics/sessions/history?start="
            + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(60)
            + "&format=csv",
        TestNode.ADMIN_KEY);
  }
}
