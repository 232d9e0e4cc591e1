package io.tracearr.analytics.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stops under a steady trickle of starts, heartbeats and ends, stays away for a while,
 * and comes back on the same port and data: meanwhile the node answers 503 with Retry-After (never
 * hangs, never 500), buffers heartbeats within its bound, and afterwards has lost nothing it
 * acknowledged and is ready again.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class PostgresOutageIT {

  private static final String SESSIONS = "/api/v1/analytics/sessions";
  private static final int BUFFER_MAX = 100;

  /** A request slower than this counts as hanging. */
  private static final long HANG_MS = 5_000;

  private Path dataDir;
  private int pgPort;
  private EmbeddedPostgres pg;
  private TestNode node;

  /** What a client was told, per request. */
  private record Answer(
      String what,
      String sessionId,
      int status,
      String contentType,
      String retryAfter,
      long millis,
      boolean duringOutage) {}

  private final List<Answer> answers = new CopyOnWriteArrayList<>();
  private final Set<String> ackedStarts = ConcurrentHashMap.newKeySet();
  private final Set<String> ackedEnds = ConcurrentHashMap.newKeySet();

  /** session → the position of its last heartbeat answered 204 */
  private final Map<String, Double> ackedPositions = new ConcurrentHashMap<>();

  /**
   * sessions whose end was attempted but refused (whether it committed is unknown to the client)
   */
  private final Set<String> uncertainEnds = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean outage = new AtomicBoolean();
  private final AtomicLong position = new AtomicLong(1);

  @AfterEach
  void cleanUp() throws Exception {
    if (node != null) node.close();
    if (pg != null) pg.close();
    if (dataDir != null && Files.exists(dataDir.getParent())) {
      try (Stream<Path> files = Files.walk(dataDir.getParent())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * The first start takes the port the embedded server picks; the restart must come back on that
   * same port, as a real PostgreSQL restart does, because the node keeps the address it was given.
   */
  private EmbeddedPostgres startPostgres() throws Exception {
    var builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("fsync", "off");
    if (pgPort > 0) builder.setPort(pgPort);
    EmbeddedPostgres started = builder.start();
    pgPort = started.getPort();
    return started;
  }

  @Test
  void nodeRidesOutAPostgresRestart() throws Exception {
    long t0 = System.nanoTime();
    dataDir = Files.createTempDirectory("tracearr-outage-pg").resolve("data");
    pg = startPostgres();
    DatabaseUrl url = new DatabaseUrl("127.0.0.1", pgPort, "postgres", "postgres", "postgres");
    Migrations.migrate(url);
    node =
        TestNode.start(
            url,
            new JsonObject()
                .put("sessions", new JsonObject().put("heartbeat_buffer_max", BUFFER_MAX)));

    // sessions that only get heartbeats during the outage: more than the buffer holds
    List<String> idle = new ArrayList<>();
    for (int i = 0; i < BUFFER_MAX + 20; i++) idle.add(start());
    assertTrue(idle.stream().allMatch(ackedStarts::contains));

    AtomicReference<Throwable> trickleFailure = new AtomicReference<>();
    ScheduledExecutorService trickle =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "trickle"));
    Trickle rounds = new Trickle();
    // about 20 requests a second: a round of a start, two heartbeats and every other round an end,
    // 50 ms apart
    trickle.scheduleWithFixedDelay(
        () -> {
          try {
            rounds.next();
          } catch (Throwable t) {
            trickleFailure.set(t);
            throw t;
          }
        },
        0,
        50,
        TimeUnit.MILLISECONDS);
    Await.until(Duration.ofSeconds(30), "the trickle is served", () -> ackedEnds.size() >= 3);

    // ---- PostgreSQL goes away ----
    long outageStart = System.nanoTime();
    pg.close();
    outage.set(true);
    Await.until(
        Duration.ofSeconds(15),
        "/health/ready reports 503",
        () -> timed("ready", null, () -> node.get("/health/ready", null)).status() == 503);
    HttpResponse<Buffer> ready = node.get("/health/ready", null);
    assertEquals("down", ready.bodyAsJsonObject().getJsonObject("checks").getString("database"));

    // reads answer 503 problem+json with Retry-After
    String someone = idle.get(0);
    Answer read =
        timed("read", someone, () -> node.get(SESSIONS + "/" + someone, TestNode.VIEWER_KEY));
    assertEquals(503, read.status(), read.toString());
    Answer list = timed("list", null, () -> node.get(SESSIONS + "/active", TestNode.VIEWER_KEY));
    assertEquals(503, list.status(), list.toString());

    // heartbeats are buffered up to the bound, then refused with 503
    int buffered = 0;
    int refused = 0;
    for (String id : idle) {
      long p = position.getAndIncrement();
      Answer hb = heartbeat(id, p);
      if (hb.status() == 204) buffered++;
      if (hb.status() == 503) refused++;
    }
    assertTrue(buffered > 0 && refused > 0, "buffered " + buffered + ", refused " + refused);
    double pending = metric("analytics_heartbeats_pending");
    assertTrue(pending <= BUFFER_MAX, "pending heartbeats " + pending + " > bound " + BUFFER_MAX);

    Await.until(
        Duration.ofSeconds(30),
        "starts and ends refused with 503 for 5 s",
        () ->
            System.nanoTime() - outageStart > Duration.ofSeconds(5).toNanos()
                && answers.stream()
                    .anyMatch(
                        a -> a.duringOutage() && a.what().equals("start") && a.status() == 503)
                && answers.stream()
                    .anyMatch(
                        a -> a.duringOutage() && a.what().equals("end") && a.status() == 503));

    // ---- PostgreSQL comes back on the same port and data ----
    outage.set(false);
    pg = startPostgres();
    long outageMillis = (System.nanoTime() - outageStart) / 1_000_000;
    Await.until(
        Duration.ofSeconds(30),
        "/health/ready is 200 again",
        () -> node.get("/health/ready", null).statusCode() == 200);
    int endsBefore = ackedEnds.size();
    int startsBefore = ackedStarts.size();
    Await.until(
        Duration.ofSeconds(30),
        "starts and ends succeed again",
        () -> ackedEnds.size() > endsBefore + 2 && ackedStarts.size() > startsBefore + 2);
    trickle.shutdown();
    assertTrue(trickle.awaitTermination(30, TimeUnit.SECONDS), "the trickle's last round ended");
    if (trickleFailure.get() != null)
      throw new AssertionError("trickle failed", trickleFailure.get());

    // ---- nothing acknowledged was lost ----
    Await.until(
        Duration.ofSeconds(10),
        "buffered heartbeats written",
        () -> metric("analytics_heartbeats_pending") == 0);
    try (Connection c = TestDatabase.connect(url)) {
      for (String id : ackedStarts) {
        assertTrue(
            exists(c, "SELECT 1 FROM playback_sessions WHERE id = ?::uuid", id),
            "acknowledged start lost: " + id);
      }
      for (String id : ackedEnds) {
        assertTrue(
            exists(
                c,
                "SELECT 1 FROM playback_sessions WHERE id = ?::uuid AND ended_at IS NOT NULL",
                id),
            "acknowledged end lost: " + id);
      }
      int checked = 0;
      for (var e : ackedPositions.entrySet()) {
        if (uncertainEnds.contains(e.getKey())) continue;
        assertEquals(
            e.getValue(), position(c, e.getKey()), "last acknowledged heartbeat of " + e.getKey());
        checked++;
      }
      assertTrue(checked >= buffered, "checked " + checked + " positions");
    }

    // every answer was a success or a well-formed 503, and none hung
    for (Answer a : answers) {
      assertTrue(a.millis() < HANG_MS, "request took " + a.millis() + " ms: " + a);
      // 409: a heartbeat after an end whose answer was lost but which committed
      boolean lostEnd = a.status() == 409 && uncertainEnds.contains(a.sessionId());
      assertTrue(
          Set.of(200, 201, 204, 503).contains(a.status()) || lostEnd, "unexpected answer " + a);
      if (a.status() == 503 && !a.what().equals("ready")) {
        assertTrue(
            a.contentType() != null && a.contentType().startsWith("application/problem+json"),
            a.toString());
        assertTrue(a.retryAfter() != null && Integer.parseInt(a.retryAfter()) > 0, a.toString());
      } else {
        assertTrue(
            !a.duringOutage() || a.what().equals("heartbeat") || a.what().equals("ready"),
            "a write that needs the database succeeded while it was away? " + a);
      }
    }
    long slowest = answers.stream().mapToLong(Answer::millis).max().orElse(0);
    long refusedCount = answers.stream().filter(a -> a.status() == 503).count();
    System.out.printf(
        "outage test: %d requests, %d answered 503, slowest %d ms, outage %d ms, %d acknowledged starts, "
            + "%d acknowledged ends, %d heartbeats buffered during the outage, total %d s%n",
        answers.size(),
        refusedCount,
        slowest,
        outageMillis,
        ackedStarts.size(),
        ackedEnds.size(),
        buffered,
        (System.nanoTime() - t0) / 1_000_000_000);
  }

  /**
   * Starts, heartbeats and ends sessions, one round at a time (the trickle's executor paces the
   * rounds).
   */
  private final class Trickle {
    private final List<String> open = new ArrayList<>();
    private int round;

    void next() {
      round++;
      Answer started =
          timed(
              "start",
              null,
              () ->
                  node.post(SESSIONS, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID())));
      if (started.sessionId() != null) open.add(started.sessionId());
      for (int i = 0; i < 2 && !open.isEmpty(); i++) {
        heartbeat(open.get((round + i) % open.size()), position.getAndIncrement());
      }
      if (round % 2 == 0 && open.size() > 3) {
        String id = open.get(0);
        Answer ended =
            timed("end", id, () -> node.delete(SESSIONS + "/" + id, TestNode.INGEST_KEY, null));
        if (ended.status() == 204) {
          ackedEnds.add(id);
          open.remove(0);
        } else {
          uncertainEnds.add(id);
        }
      }
    }
  }

  private String start() {
    return timed(
            "start",
            null,
            () -> node.post(SESSIONS, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID())))
        .sessionId();
  }

  private Answer heartbeat(String id, long p) {
    Answer a =
        timed(
            "heartbeat",
            id,
            () ->
                node.put(
                    SESSIONS + "/" + id,
                    TestNode.INGEST_KEY,
                    new JsonObject().put("status", "playing").put("position_seconds", p)));
    if (a.status() == 204) ackedPositions.merge(id, (double) p, Math::max);
    return a;
  }

  private Answer timed(
      String what, String id, java.util.function.Supplier<HttpResponse<Buffer>> call) {
    boolean during = outage.get();
    long t = System.nanoTime();
    HttpResponse<Buffer> r = call.get();
    long ms = (System.nanoTime() - t) / 1_000_000;
    String sessionId = id;
    if (what.equals("start") && (r.statusCode() == 201 || r.statusCode() == 200)) {
      sessionId = r.bodyAsJsonObject().getString("id");
      ackedStarts.add(sessionId);
    }
    Answer a =
        new Answer(
            what,
            sessionId,
            r.statusCode(),
            r.getHeader("Content-Type"),
            r.getHeader("Retry-After"),
            ms,
            during && outage.get());
    answers.add(a);
    return a;
  }

  private double metric(String name) {
    String text = node.get("/metrics", null).bodyAsString();
    return text.lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in the scrape"));
  }

  private static boolean exists(Connection c, String sql, String id) throws Exception {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static Double position(Connection c, String id) throws Exception {
    try (PreparedStatement st =
        c.prepareStatement("SELECT position_seconds FROM playback_sessions WHERE id = ?::uuid")) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getDouble(1) : null;
      }
    }
  }
}
