package io.tracearr.analytics.bench;

import static io.tracearr.analytics.bench.Bench.await;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Scenario 10 (issue 14): notifications under load, and detection while a receiver hangs.
 *
 * <ol>
 *   <li>Alert latency as scenario 3 measures it, with no channel.
 *   <li>A webhook channel to a receiver in this process (answers 200 at once) and one to a receiver
 *       that accepts connections and never answers. Alerts are raised at {@code alertsPerMinute}
 *       (each: a fresh user's 4th concurrent stream); the latency of each is the receiver's clock
 *       at receipt minus the delivery's {@code occurred_at} (the alert's commit time, same
 *       machine).
 *   <li>Alert latency again, with both channels on and the hanging one's deliveries piling up.
 * </ol>
 *
 * Target: p99 alert → receipt &lt; 1 s at 1 000 alerts/min; alert latency with the hanging receiver
 * within 10 % of its value without channels.
 */
final class NotifyScenarios {

  private final Bench b;
  private final LiveScenarios live;

  NotifyScenarios(Bench b, LiveScenarios live) {
    this.b = b;
    this.live = live;
  }

  ScenarioResult notifications() throws Exception {
    int perMinute = 1_000;
    int seconds = b.sizes.quick() ? 6 : 60;
    ScenarioResult r =
        new ScenarioResult(
            "10",
            "notifications: "
                + perMinute
                + " alerts/min to a webhook receiver for "
                + seconds
                + " s, and alert latency (scenario 3) while another receiver hangs",
            "p99 alert → receipt < 1 s; alert p99 with a hanging receiver ≤ 1.1 × without channels");
    if (!b.routeExists("/api/v1/analytics/notifications/channels", b.adminKey))
      return r.skipped(
          "notifications (/api/v1/analytics/notifications/channels) not in this build");

    Map<String, Long> receivedAt = new ConcurrentHashMap<>();
    Histogram toReceipt = new Histogram(3);
    AtomicLong duplicates = new AtomicLong();
    HttpServer receiver =
        await(
            b.vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.body()
                            .onSuccess(
                                body -> {
                                  long now = Instant.now().toEpochMilli() * 1000;
                                  JsonObject payload = body.toJsonObject();
                                  String delivery = payload.getString("delivery_id");
                                  Instant occurred =
                                      Instant.parse(payload.getString("occurred_at"));
                                  long micros =
                                      occurred.getEpochSecond() * 1_000_000
                                          + occurred.getNano() / 1000;
                                  if (receivedAt.putIfAbsent(delivery, now) == null) {
                                    synchronized (toReceipt) {
                                      toReceipt.recordValue(Math.max(1, now - micros));
                                    }
                                  } else {
                                    duplicates.incrementAndGet();
                                  }
                                  req.response().setStatusCode(200).end();
                                }))
                .listen(0, b.host),
            30);
    // accepts, reads, never answers: each attempt runs into the service's 10 s timeout
    HttpServer hanging =
        await(b.vertx.createHttpServer().requestHandler(req -> {}).listen(0, b.host), 30);
    List<String> channels = new ArrayList<>();
    try {
      ScenarioResult base = live.alertLatency();
      double baseP99 = base.figureValue("p99_ms");
      double baseP50 = base.figureValue("p50_ms");

      channels.add(channel("bench-receiver", receiver.actualPort()));
      channels.add(channel("bench-hanging", hanging.actualPort()));

      HttpLoad starter = new HttpLoad(b.vertx, b.host, b.port, 16);
      int alerts = perMinute * seconds / 60;
      long intervalNanos = 60_000_000_000L / perMinute;
      long t0 = System.nanoTime();
      int failedStarts = 0;
      List<Future<HttpLoad.Reply>> pending = new ArrayList<>();
      try {
        for (int k = 0; k < alerts; k++) {
          long due = t0 + k * intervalNanos;
          long wait = due - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          String user = Ids.random();
          for (int d = 0; d < 4; d++) {
            pending.add(
                starter.call(
                    HttpMethod.POST,
                    "/api/v1/analytics/sessions",
                    b.ingestKey,
                    Ids.start(Ids.random(), user, 2_000_000 + 4 * k + d).toBuffer()));
          }
        }
        for (Future<HttpLoad.Reply> f : pending) if (!await(f, 60).ok()) failedStarts++;
      } finally {
        await(starter.close(), 30);
      }
      double sendSeconds = (System.nanoTime() - t0) / 1e9;
      long expected =
          Long.parseLong(
              b.psql(
                  "s10-deliveries",
                  "SELECT count(*) FROM notification_deliveries d JOIN notification_channels c "
                      + "ON c.id = d.channel_id WHERE c.name = 'bench-receiver';",
                  Duration.ofMinutes(1)));
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (receivedAt.size() < expected && System.nanoTime() < deadline) Thread.sleep(50);

      ScenarioResult hung = live.alertLatency();
      double hungP99 = hung.figureValue("p99_ms");
      String backlog =
          b.psql(
              "s10-hanging-backlog",
              "SELECT count(*) FILTER (WHERE d.status IN ('pending', 'delivering')) || ' pending, ' "
                  + "|| count(*) FILTER (WHERE d.status = 'delivered') || ' delivered' "
                  + "FROM notification_deliveries d JOIN notification_channels c "
                  + "ON c.id = d.channel_id WHERE c.name = 'bench-hanging';",
              Duration.ofMinutes(1));

      double p99 = toReceipt.getValueAtPercentile(99) / 1000.0;
      double ratio = baseP99 > 0 ? hungP99 / baseP99 : Double.NaN;
      r.figure("alerts_raised_per_min", alerts * 60.0 / sendSeconds)
          .figure("failed_starts", failedStarts)
          .figure("deliveries_expected", expected)
          .figure("deliveries_received", receivedAt.size())
          .figure("duplicate_receipts", duplicates.get())
          .figure("receipt_p50_ms", toReceipt.getValueAtPercentile(50) / 1000.0)
          .figure("receipt_p99_ms", p99)
          .figure("receipt_max_ms", toReceipt.getMaxValue() / 1000.0)
          .figure("alert_p50_ms_no_channels", baseP50)
          .figure("alert_p99_ms_no_channels", baseP99)
          .figure("alert_p50_ms_hanging_receiver", hung.figureValue("p50_ms"))
          .figure("alert_p99_ms_hanging_receiver", hungP99)
          .figure("detector_caught_up_s_no_channels", base.figureValue("detector_caught_up_s"))
          .figure("detector_caught_up_s_hanging_receiver", hung.figureValue("detector_caught_up_s"))
          .limit("alert p99 with no channel (same run)", baseP99, "ms")
          .ratio(ratio)
          .note("the hanging receiver's deliveries at the end: " + backlog)
          .check("p99 alert → receipt < 1000 ms", p99, p99 < 1000)
          .check(
              "every delivery received within 30 s",
              receivedAt.size(),
              receivedAt.size() >= expected && expected >= alerts)
          .check("alert p99 with a hanging receiver ≤ 1.1 × without", ratio, ratio <= 1.1);
      return r;
    } finally {
      for (String id : channels) deleteChannel(id);
      await(receiver.close(), 30);
      await(hanging.close(), 30);
    }
  }

  private final HttpClient control =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private String channel(String name, int port) throws Exception {
    JsonObject body =
        new JsonObject()
            .put("name", name)
            .put("type", "webhook")
            .put("url", "http://" + b.host + ":" + port + "/hook")
            .put("secret", "bench-secret-0123456789")
            .put("events", new io.vertx.core.json.JsonArray().add("alert.raised"))
            .put("min_severity", "low");
    HttpResponse<String> resp =
        control.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://"
                            + b.host
                            + ":"
                            + b.port
                            + "/api/v1/analytics/notifications/channels"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + b.adminKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 201)
      throw new IllegalStateException(
          "creating channel " + name + " answered " + resp.statusCode() + ": " + resp.body());
    return new JsonObject(resp.body()).getString("id");
  }

  private void deleteChannel(String id) {
    try {
      control.send(
          HttpRequest.newBuilder(
                  URI.create(
                      "http://"
                          + b.host
                          + ":"
                          + b.port
                          + "/api/v1/analytics/notifications/channels/"
                          + id))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + b.adminKey)
              .DELETE()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      BenchRunner.log("could not delete channel " + id + ": " + e);
    }
  }
}
