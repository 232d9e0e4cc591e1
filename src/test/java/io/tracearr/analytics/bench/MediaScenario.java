package io.tracearr.analytics.bench;

import static io.tracearr.analytics.bench.Bench.await;

import io.tracearr.analytics.media.MediaServerSimulator;
import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.media.ServerType;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Scenario 13 (issue 18): media-server polling. {@code servers} simulated Jellyfin, Emby and Plex
 * servers (the test {@link MediaServerSimulator}: real HTTP servers in this process answering the
 * published response shapes) with {@code sessions} playbacks each, added through {@code POST
 * /api/v1/analytics/servers} with {@code poll_interval_seconds: 2}; the service's connectors poll
 * them. Over a steady window the client makes changes on the servers, spread over them and over
 * time (a new playback, a pause, a stop), and times each one from the change to the matching frame
 * on a dashboard socket ({@code session.started}, {@code session.updated} with status paused,
 * {@code session.ended}).
 *
 * <p>A stop is seen by the first poll after it and ended by that poll's confirmation (a second
 * request {@code ServerWatcher.CONFIRM_DELAY_MS} later): its delay is up to one interval plus the
 * confirmation, the same bound as a start or a pause plus about 250 ms.
 *
 * <p>The simulators do not push (their Jellyfin/Emby socket answers only the subscription; Plex
 * sends nothing): the figures are those of polling alone, the bound the target names. CPU: the
 * service process's CPU time (/proc/pid/stat) over the window, per server, and the same service
 * idle before the servers were added.
 */
final class MediaScenario {

  private static final int INTERVAL_SECONDS = 2;
  private static final ServerType[] TYPES = {ServerType.JELLYFIN, ServerType.EMBY, ServerType.PLEX};

  private final Bench b;
  // HTTP/1.1: the default h2c upgrade attempt on a POST lost the answer to a processed request
  // (EOF) under load
  private final HttpClient control =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  MediaScenario(Bench b) {
    this.b = b;
  }

  /** A change made on a simulated server, waiting for its frame. */
  private record Change(String kind, long atNanos, int server) {}

  ScenarioResult polling() throws Exception {
    boolean quick = b.sizes.quick();
    int servers = quick ? 5 : 50;
    int sessions = quick ? 10 : 100;
    int windowSeconds = quick ? 20 : 90;
    int changes = quick ? 30 : 300;
    int idleSeconds = quick ? 3 : 10;
    long targetMs = INTERVAL_SECONDS * 1000L + 500;
    ScenarioResult r =
        new ScenarioResult(
            "13",
            "media polling: "
                + servers
                + " simulated servers (Jellyfin, Emby, Plex) × "
                + sessions
                + " sessions, polled every "
                + INTERVAL_SECONDS
                + " s; "
                + changes
                + " changes (start, pause, stop) over "
                + windowSeconds
                + " s",
            "change on the server → dashboard frame p99 < poll interval + 500 ms ("
                + targetMs
                + " ms); no change missed, no poll error; CPU per server reported");
    if (!b.routeExists("/api/v1/analytics/servers", b.adminKey))
      return r.skipped("media servers (/api/v1/analytics/servers) not in this build");

    // ---- the dashboard socket: frames matched to changes by the playback's (unique) title
    Map<String, Change> pending = new ConcurrentHashMap<>();
    Map<String, String> titleOfSession = new ConcurrentHashMap<>();
    Map<String, Histogram> byKind = new ConcurrentHashMap<>();
    for (String k : List.of("initial", "started", "paused", "ended"))
      byKind.put(k, new ConcurrentHistogram(3));
    Histogram all = new ConcurrentHistogram(3);
    AtomicLong frames = new AtomicLong();
    AtomicLong startedFrames = new AtomicLong();
    AtomicLong unmatchedEnds = new AtomicLong();
    long[] snapshotSessions = {-1};
    WebSocketClient wsClient =
        b.vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxFrameSize(1 << 24)
                .setMaxMessageSize(1 << 27)
                .setConnectTimeout(10_000)
                .setIdleTimeout(0));
    WebSocket ws =
        await(
            wsClient.connect(
                new WebSocketConnectOptions()
                    .setHost(b.host)
                    .setPort(b.port)
                    .setURI("/api/v1/live?access_token=" + b.viewerKey)),
            30);
    ws.textMessageHandler(
        text -> {
          long now = System.nanoTime();
          frames.incrementAndGet();
          JsonObject f = new JsonObject(text);
          String type = f.getString("type", "");
          Object data = f.getValue("data");
          if (type.equals("snapshot") && data instanceof JsonObject d) {
            snapshotSessions[0] =
                d.getJsonArray("active_sessions") == null
                    ? 0
                    : d.getJsonArray("active_sessions").size();
            return;
          }
          if (!(data instanceof JsonObject s) || !type.startsWith("session.")) return;
          String id = s.getString("id");
          String title = s.getString("content_title");
          if (title == null && id != null) title = titleOfSession.get(id);
          if (title == null) {
            if (type.equals("session.ended")) unmatchedEnds.incrementAndGet();
            return;
          }
          String key = null;
          switch (type) {
            case "session.started" -> {
              startedFrames.incrementAndGet();
              if (id != null) titleOfSession.put(id, title);
              key = "started:" + title;
            }
            case "session.updated" -> {
              if ("paused".equals(s.getString("status"))) key = "paused:" + title;
            }
            case "session.ended" -> key = "ended:" + title;
            default -> {}
          }
          if (key == null) return;
          Change c = pending.remove(key);
          if (c == null) return;
          long micros = Math.max(1, (now - c.atNanos()) / 1000);
          byKind.get(c.kind()).recordValue(micros);
          // the initial playbacks (all added at once, before the window) are reported apart
          if (!c.kind().equals("initial")) all.recordValue(micros);
        });

    List<MediaServerSimulator> sims = new ArrayList<>();
    List<String> serverIds = new ArrayList<>();
    List<List<String>> keys = new ArrayList<>();
    try {
      Bench.waitFor("the dashboard snapshot", 60, () -> snapshotSessions[0] >= 0);

      // ---- the service idle (no media server), for comparison
      double[] idle0 = b.cpuSample();
      Thread.sleep(idleSeconds * 1000L);
      double[] idle1 = b.cpuSample();
      double idleCores = (idle1[0] - idle0[0]) / (idle1[3] - idle0[3]);

      // ---- the simulated servers, their playbacks, and the servers added to the service
      for (int s = 0; s < servers; s++) {
        ServerType type = TYPES[s % TYPES.length];
        MediaServerSimulator sim =
            await(
                MediaServerSimulator.start(b.vertx, type, "bench-token-" + s + "-0123456789abcdef"),
                30);
        sim.fixtureSessions(false);
        sims.add(sim);
        List<String> k = new ArrayList<>();
        for (int p = 0; p < sessions; p++) {
          sim.put(playback(s, p));
          k.add(key(s, p));
        }
        keys.add(k);
      }
      long addedAt = System.nanoTime();
      for (int s = 0; s < servers; s++) {
        MediaServerSimulator sim = sims.get(s);
        for (int p = 0; p < sessions; p++)
          pending.put("started:" + title(s, p), new Change("initial", addedAt, s));
        serverIds.add(addServer(s, sim));
      }
      int initial = servers * sessions;
      Bench.waitFor(
          "the " + initial + " initial playbacks on the dashboard",
          quick ? 60 : 180,
          () -> pending.keySet().stream().noneMatch(k -> k.startsWith("started:")));
      double initialSeconds = (System.nanoTime() - addedAt) / 1e9;
      // one more round of polls before the window: the first answers' identity look-ups are over
      Thread.sleep(2L * INTERVAL_SECONDS * 1000);

      // ---- the steady window: changes spread over the servers and over time
      double pollErrors0 = pollCount("unreachable") + pollCount("unauthorized");
      double polls0 = pollCount("up");
      double[] cpu0 = b.cpuSample();
      long w0 = System.nanoTime();
      long gapNanos = windowSeconds * 1_000_000_000L / changes;
      Random rnd = new Random(13);
      int[] next = new int[servers];
      java.util.Arrays.fill(next, sessions);
      int made = 0;
      for (int c = 0; c < changes; c++) {
        long due = w0 + c * gapNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        int s = rnd.nextInt(servers);
        MediaServerSimulator sim = sims.get(s);
        List<String> live = keys.get(s);
        String kind = c % 3 == 0 ? "started" : c % 3 == 1 ? "paused" : "ended";
        if (!kind.equals("started") && live.isEmpty()) kind = "started";
        if (kind.equals("started")) {
          int p = next[s]++;
          pending.put("started:" + title(s, p), new Change(kind, System.nanoTime(), s));
          sim.put(playback(s, p));
          live.add(key(s, p));
        } else {
          // each playback changes once: a paused one leaves the list, as does a stopped one
          String k = live.remove(rnd.nextInt(live.size()));
          int p = Integer.parseInt(k.substring(k.lastIndexOf('-') + 1));
          if (kind.equals("paused")) {
            pending.put("paused:" + title(s, p), new Change(kind, System.nanoTime(), s));
            sim.put(playback(s, p).withPaused(true));
          } else {
            pending.put("ended:" + title(s, p), new Change(kind, System.nanoTime(), s));
            sim.remove(k);
          }
        }
        made++;
      }
      long wait = w0 + windowSeconds * 1_000_000_000L - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000);
      double[] cpu1 = b.cpuSample();
      double windowS = (System.nanoTime() - w0) / 1e9;
      double polls = pollCount("up") - polls0;
      double pollErrors = pollCount("unreachable") + pollCount("unauthorized") - pollErrors0;
      // the changes of the window's last seconds still have their frames to come
      long grace = System.nanoTime() + 30_000_000_000L;
      while (!pending.isEmpty() && System.nanoTime() < grace) Thread.sleep(100);
      long missed = pending.size();
      Map<String, Long> missedByKind = new java.util.TreeMap<>();
      for (Change c : pending.values()) missedByKind.merge(c.kind(), 1L, Long::sum);

      String statuses = serverStatuses();
      double cores = (cpu1[0] - cpu0[0]) / (cpu1[3] - cpu0[3]);
      double machineBusy = 100 * (cpu1[1] - cpu0[1]) / Math.max(1, cpu1[2] - cpu0[2]);
      double p99 = all.getValueAtPercentile(99) / 1000.0;
      r.figure("servers", servers)
          .figure("sessions_per_server", sessions)
          .figure("poll_interval_s", INTERVAL_SECONDS)
          .figure("initial_sessions_on_dashboard_s", initialSeconds)
          .figure("changes_made", made)
          .figure("changes_missed", missed)
          .figure("polls_per_s", polls / windowS)
          .figure("polls_expected_per_s", servers / (double) INTERVAL_SECONDS)
          .figure("poll_errors", pollErrors)
          .figure("service_cores_polling", cores)
          .figure("service_cores_idle", idleCores)
          .figure("cpu_ms_per_server_per_s", cores * 1000 / servers)
          .figure("cpu_ms_per_server_per_s_above_idle", (cores - idleCores) * 1000 / servers)
          .figure("machine_busy_pct_window", machineBusy)
          .figure("dashboard_frames", frames.get())
          .figure("change_p50_ms", all.getValueAtPercentile(50) / 1000.0)
          .figure("change_p99_ms", p99)
          .figure("change_max_ms", all.getMaxValue() / 1000.0);
      for (String k : List.of("initial", "started", "paused", "ended")) {
        Histogram h = byKind.get(k);
        r.figure(k + "_count", h.getTotalCount())
            .figure(k + "_p50_ms", h.getValueAtPercentile(50) / 1000.0)
            .figure(k + "_p90_ms", h.getValueAtPercentile(90) / 1000.0)
            .figure(k + "_p99_ms", h.getValueAtPercentile(99) / 1000.0)
            .figure(k + "_max_ms", h.getMaxValue() / 1000.0);
      }
      r.limit("poll interval + 500 ms", targetMs, "ms")
          .note(
              "polls_per_s counts the service's requests for the sessions: the scheduled polls and"
                  + " the confirmations that follow a poll which missed a playback (one per stop"
                  + " here)")
          .ratio(p99 / targetMs)
          .note("server statuses at the end: " + statuses)
          .note("missed by kind (no frame within 30 s of the window's end): " + missedByKind)
          .check("p99 change → frame < " + targetMs + " ms", p99, p99 < targetMs)
          .check("no change missed", missed, missed == 0)
          .check("no poll error", pollErrors, pollErrors == 0);
      return r;
    } finally {
      for (String id : serverIds) deleteServer(id);
      ws.close();
      for (MediaServerSimulator sim : sims) sim.close();
      b.endLeftoverSessions();
    }
  }

  private static String key(int server, int p) {
    return "s" + server + "-k-" + p;
  }

  private static String title(int server, int p) {
    return "bench media " + server + "/" + p;
  }

  /** One playback: its own user, device, item and address, so no sharing alert is raised. */
  private static Playback playback(int server, int p) {
    String n = server + "-" + p;
    return Playback.movie(
            key(server, p),
            "item-" + n,
            title(server, p),
            "user-" + n,
            "viewer " + n,
            "device-" + n,
            "TV " + n,
            "10." + (server % 250) + "." + (p / 250 % 250) + "." + (p % 250 + 1))
        .withPosition(60 + p);
  }

  private String addServer(int s, MediaServerSimulator sim) throws Exception {
    JsonObject body =
        new JsonObject()
            .put("name", "bench-media-" + s)
            .put("type", sim.type().id())
            .put("url", sim.baseUrl())
            .put("token", sim.token())
            .put("poll_interval_seconds", INTERVAL_SECONDS);
    // every simulator answers the same fixture identity, and the service derives a server's id from
    // it: validate=false stores each under its own id (it still reads the identity at the first
    // poll)
    HttpRequest post =
        HttpRequest.newBuilder(uri("/api/v1/analytics/servers?validate=false"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + b.adminKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build();
    HttpResponse<String> resp;
    try {
      resp = control.send(post, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException lost) {
      // the answer was lost, maybe not the request: the name is unique, so look it up first
      BenchRunner.log("adding media server " + s + ": " + lost + "; looking it up");
      String id = serverIdByName("bench-media-" + s);
      if (id != null) return id;
      resp = control.send(post, HttpResponse.BodyHandlers.ofString());
    }
    if (resp.statusCode() == 409) {
      // the lost answer's request went through after all (the service's 5 s idle timeout closes a
      // connection whose request waits longer, e.g. for a busy database pool)
      String id = serverIdByName("bench-media-" + s);
      if (id != null) return id;
    }
    if (resp.statusCode() != 201)
      throw new IllegalStateException(
          "adding media server " + s + " answered " + resp.statusCode() + ": " + resp.body());
    return new JsonObject(resp.body()).getString("id");
  }

  private void deleteServer(String id) {
    try {
      control.send(
          HttpRequest.newBuilder(uri("/api/v1/analytics/servers/" + id))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + b.adminKey)
              .DELETE()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      BenchRunner.log("could not delete media server " + id + ": " + e);
    }
  }

  private String serverIdByName(String name) throws Exception {
    HttpResponse<String> resp = b.get("/api/v1/analytics/servers", b.adminKey);
    if (resp.statusCode() != 200) return null;
    for (Object o : new JsonObject(resp.body()).getJsonArray("items")) {
      if (o instanceof JsonObject s && name.equals(s.getString("name"))) return s.getString("id");
    }
    return null;
  }

  /** "up: 50" etc., from the API's list. */
  private String serverStatuses() throws Exception {
    HttpResponse<String> resp = b.get("/api/v1/analytics/servers", b.adminKey);
    if (resp.statusCode() != 200) return "list answered " + resp.statusCode();
    Object parsed = io.vertx.core.json.Json.decodeValue(resp.body());
    Iterable<?> list =
        parsed instanceof io.vertx.core.json.JsonArray a
            ? a
            : ((JsonObject) parsed).getJsonArray("items", new io.vertx.core.json.JsonArray());
    Map<String, Integer> count = new java.util.TreeMap<>();
    for (Object o : list) {
      if (o instanceof JsonObject s && s.getString("name", "").startsWith("bench-media-"))
        count.merge(s.getString("status", "?"), 1, Integer::sum);
    }
    return count.toString();
  }

  /** Polls counted by the service's histogram, by outcome (0 before the first). */
  private double pollCount(String outcome) throws Exception {
    double v =
        b.metricSum("analytics_media_poll_duration_seconds_count", "outcome=\"" + outcome + "\"");
    return Double.isNaN(v) ? 0 : v;
  }

  private URI uri(String path) {
    return URI.create("http://" + b.host + ":" + b.port + path);
  }
}
