package io.tracearr.analytics.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Scenario 4's event generator, in a process of its own (issue 18): half starts of new sessions,
 * half ends of earlier ones, paced at the asked rate. In the process that also read 1 000 dashboard
 * sockets it reached only 354-443 of 1 000 events/s (its event loops were busy with the sockets'
 * frames), so the client, not the service, set the rate. Here it has its own JVM and threads.
 *
 * <pre>
 *   EventSender --port P --rate R [--warmup-millis W] --millis M --sent FILE   (key from BENCH_INGEST_KEY)
 * </pre>
 *
 * With a warm-up it prints "WARM" after it and waits for a line on stdin before the measured run.
 *
 * <p>Prints one JSON line (ok, errors, behind, rate, p99 of the REST calls) and writes FILE: one
 * line per event, "started:&lt;id&gt;" / "ended:&lt;id&gt;" and the epoch microseconds it was sent,
 * for the end-to-end latency the dashboards' side joins.
 */
public final class EventSender {

  private EventSender() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].substring(2), args[i + 1]);
    int port = Integer.parseInt(o.get("port"));
    double rate = Double.parseDouble(o.get("rate"));
    long warmupMillis = Long.parseLong(o.getOrDefault("warmup-millis", "0"));
    long millis = Long.parseLong(o.get("millis"));
    Path sentFile = Path.of(o.get("sent"));
    String key = System.getenv("BENCH_INGEST_KEY");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpLoad events = new HttpLoad(vertx, "127.0.0.1", port, 32);
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
    boolean[] endNext = {false};
    Supplier<Future<HttpLoad.Reply>> event =
        () -> {
          endNext[0] = !endNext[0];
          String toEnd = endNext[0] ? started.poll() : null;
          if (toEnd != null) {
            sentAt.put("ended:" + toEnd, Dashboards.nowMicros());
            return events.call(HttpMethod.DELETE, "/api/v1/analytics/sessions/" + toEnd, key, null);
          }
          String id = Ids.random();
          sentAt.put("started:" + id, Dashboards.nowMicros());
          return events
              .call(
                  HttpMethod.POST,
                  "/api/v1/analytics/sessions",
                  key,
                  Ids.start(id, Ids.random(), (int) (Math.random() * 1_000_000)).toBuffer())
              .onSuccess(
                  rep -> {
                    if (rep.ok()) started.add(id);
                  });
        };
    if (warmupMillis > 0) {
      // the same traffic, so that the harness takes "heap before" in the steady state, and this
      // JVM is warm when it counts; then it waits for the harness's go
      events
          .paced(rate, warmupMillis, 512, event)
          .toCompletionStage()
          .toCompletableFuture()
          .get(warmupMillis + 120_000, TimeUnit.MILLISECONDS);
      sentAt.clear();
      System.out.println("WARM");
      System.out.flush();
      new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
    }
    HttpLoad.Paced load =
        events
            .paced(rate, millis, 512, event)
            .toCompletionStage()
            .toCompletableFuture()
            .get(millis + 120_000, TimeUnit.MILLISECONDS);
    try (BufferedWriter w = Files.newBufferedWriter(sentFile)) {
      for (Map.Entry<String, Long> e : sentAt.entrySet()) {
        w.write(e.getKey() + " " + e.getValue() + "\n");
      }
    }
    System.out.println(
        new JsonObject()
            .put("ok", load.ok.get())
            .put("not_ok", load.notOk.get())
            .put("failed", load.failed.get())
            .put("behind", load.behind.get())
            .put("rate", load.rate())
            .put("call_p99_ms", load.latencyMicros.getValueAtPercentile(99) / 1000.0)
            .encode());
    events.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(0);
  }
}
