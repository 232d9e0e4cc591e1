package io.tracearr.analytics.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.JarNode;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three JVMs of the packaged jar ({@code java -jar}, configured by environment variables as an
 * operator would) on one PostgreSQL, joined in a Hazelcast cluster: any node serves any request, a
 * dashboard on one node sees what happens on the others, periodic jobs run once per interval
 * cluster-wide, and a {@code kill -9} of a node costs nothing acknowledged. Each node's output is
 * in {@code target/cluster-it/node-N.log}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreeNodeClusterIT {

  private static final String SESSIONS = "/api/v1/analytics/sessions";
  private static final String ADMIN_KEY = "it-admin-key-0123456789";
  private static final String INGEST_KEY = "it-ingest-key-0123456789";
  private static final String VIEWER_KEY = "it-viewer-key-0123456789";
  private static final int JOB_INTERVAL_SECONDS = 2;

  /**
   * The whole class stays under three minutes: past this, the nodes are killed so that every wait
   * fails fast.
   */
  private static final Duration BUDGET = Duration.ofSeconds(170);

  @RegisterExtension static final NodeExtension postgres = NodeExtension.databaseOnly();

  static Vertx vertx;
  static WebClient client;
  static DatabaseUrl db;
  static final JarNode[] nodes = new JarNode[3];
  static final String[] nodeIds = new String[3];
  static long startedNanos;
  static ScheduledExecutorService watchdog;

  /**
   * Every start and end that got a 2xx, on any node, in any test: all must be in the database at
   * the end.
   */
  static final Set<String> ackedStarts = ConcurrentHashMap.newKeySet();

  static final Set<String> ackedEnds = ConcurrentHashMap.newKeySet();

  /** The dashboard connected to node 3 for the whole class. */
  static final List<JsonObject> frames = new CopyOnWriteArrayList<>();

  static WebSocket dashboard;
  static String dashboardFailure;

  @BeforeAll
  static void startCluster() throws Exception {
    startedNanos = System.nanoTime();
    Path jar = Path.of(System.getProperty("app.jar", "target/tracearr-analytics.jar"));
    assertTrue(
        Files.isRegularFile(jar),
        "the packaged jar is needed (mvn verify packages it first): " + jar);
    vertx = Vertx.vertx();
    client = TestNode.client(vertx);
    db = postgres.database();
    String cluster = "it-" + UUID.randomUUID();
    Path logs = Path.of("target", "cluster-it");
    Path work = Files.createTempDirectory("tracearr-cluster-it");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (JarNode n : nodes) if (n != null) n.kill();
                }));
    watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cluster-it-watchdog");
              t.setDaemon(true);
              return t;
            });
    watchdog.schedule(
        () -> {
          System.out.println("cluster test over its " + BUDGET + " budget: killing the nodes");
          for (JarNode n : nodes) if (n != null) n.kill();
        },
        BUDGET.toMillis(),
        TimeUnit.MILLISECONDS);

    for (int i = 0; i < 3; i++) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("ANALYTICS_CLUSTER", "true");
      env.put("ANALYTICS_CLUSTER_NAME", cluster);
      // the same base for all three (see NodeExtension.HAZELCAST_BASE_PORT): each binds the first
      // free port from
      // it, and a member given without a port is probed from it on (JarNode widens how far)
      env.put("ANALYTICS_CLUSTER_PORT", Integer.toString(NodeExtension.HAZELCAST_BASE_PORT));
      env.put("ANALYTICS_CLUSTER_MEMBERS", "127.0.0.1");
      env.put("ANALYTICS_HTTP_HOST", "127.0.0.1");
      env.put("ANALYTICS_HTTP_PORT", "0");
      env.put(
          "ANALYTICS_DATABASE_URL",
          "postgresql://"
              + db.user()
              + ":"
              + db.password()
              + "@"
              + db.host()
              + ":"
              + db.port()
              + "/"
              + db.database());
      env.put("ANALYTICS_DATA_DIR", work.resolve("node-" + (i + 1)).resolve("data").toString());
      env.put("ANALYTICS_ADMIN_API_KEY", ADMIN_KEY);
      env.put("ANALYTICS_INGEST_API_KEY", INGEST_KEY);
      env.put("ANALYTICS_VIEWER_API_KEY", VIEWER_KEY);
      env.put("ANALYTICS_REAP_INTERVAL_SECONDS", Integer.toString(JOB_INTERVAL_SECONDS));
      env.put("ANALYTICS_SWEEP_SECONDS", Integer.toString(JOB_INTERVAL_SECONDS));
      env.put("ANALYTICS_ROLLUP_INTERVAL_SECONDS", Integer.toString(JOB_INTERVAL_SECONDS));
      nodes[i] =
          JarNode.start(
              "node-" + (i + 1),
              jar,
              env,
              work.resolve("node-" + (i + 1)),
              logs.resolve("node-" + (i + 1) + ".log"),
              client);
      // one after another, as the README says: each joins the members already there
      nodes[i].awaitReady(i + 1, Duration.ofSeconds(60));
      nodeIds[i] = nodes[i].nodeId();
      log(
          "node-%d (pid %d) ready on port %d as %s",
          i + 1, nodes[i].pid(), nodes[i].httpPort(), nodeIds[i]);
    }
    for (JarNode n : nodes) n.awaitReady(3, Duration.ofSeconds(30));
    assertEquals(3, Set.of(nodeIds).size(), "three distinct members");
    connectDashboard(nodes[2]);
    log("cluster of 3 up");
  }

  @AfterAll
  static void stopCluster() {
    List<Thread> stopping = new ArrayList<>();
    for (JarNode n : nodes) {
      if (n == null) continue;
      Thread t = new Thread(n::close);
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (watchdog != null) watchdog.shutdownNow();
    if (vertx != null) vertx.close();
    log("cluster test done");
  }

  // ---- 1. any node serves any request
  // -------------------------------------------------------------------

  @Test
  @Order(1)
  void sessionStartedOnNode1GetsHeartbeatsOnNode2AndEndsOnNode3() {
    String id = start(nodes[0], UUID.randomUUID());
    assertStatus(
        204,
        nodes[1].send(
            HttpMethod.PUT,
            SESSIONS + "/" + id,
            INGEST_KEY,
            new JsonObject().put("status", "paused").put("position_seconds", 42)));
    Await.until(
        Duration.ofSeconds(10),
        "node-3 reads the heartbeat taken by node-2",
        () -> {
          JsonObject s =
              nodes[2]
                  .send(HttpMethod.GET, SESSIONS + "/" + id, VIEWER_KEY, null)
                  .bodyAsJsonObject();
          return "paused".equals(s.getString("status")) && s.getDouble("position_seconds") == 42.0;
        });
    end(nodes[2], id);
    JsonObject ended =
        nodes[0].send(HttpMethod.GET, SESSIONS + "/" + id, VIEWER_KEY, null).bodyAsJsonObject();
    assertEquals("ended", ended.getString("status"));
    assertEquals("client", ended.getString("ended_reason"));
    assertEquals(42.0, ended.getDouble("position_seconds"));
    // node-2 cached the session when it took the heartbeat; the cluster-wide end reaches it
    Await.until(
        Duration.ofSeconds(10),
        "node-2 refuses heartbeats for the ended session",
        () ->
            nodes[1]
                    .send(HttpMethod.PUT, SESSIONS + "/" + id, INGEST_KEY, new JsonObject())
                    .statusCode()
                == 409);
  }

  // ---- 2. a dashboard on node 3 sees actions on nodes 1 and 2
  // ---------------------------------------------

  @Test
  @Order(2)
  void dashboardOnNode3ReceivesEventsOfActionsOnNodes1And2() {
    assertDashboardConnected();
    assertTrue(
        frames.stream()
            .anyMatch(
                f ->
                    "hello".equals(f.getString("type"))
                        && nodeIds[2].equals(f.getJsonObject("data").getString("node_id"))),
        "hello from node-3: " + frames);
    Await.until(
        Duration.ofSeconds(10),
        "snapshot",
        () -> frames.stream().anyMatch(f -> "snapshot".equals(f.getString("type"))));
    String onNode1 = start(nodes[0], UUID.randomUUID());
    String onNode2 = start(nodes[1], UUID.randomUUID());
    end(nodes[1], onNode1);
    awaitFrame("session.started", onNode1);
    awaitFrame("session.started", onNode2);
    awaitFrame("session.ended", onNode1);
    end(nodes[0], onNode2);
    awaitFrame("session.ended", onNode2);
  }

  // ---- 3. periodic jobs run once per interval cluster-wide
  // ----------------------------------------------

  @Test
  @Order(3)
  void periodicJobsRunOncePerIntervalClusterWide() throws Exception {
    Timestamp from = dbNow();
    Await.until(
        Duration.ofSeconds(30),
        "a 10 s window of job runs",
        () ->
            secondsSince(from) >= 10
                && count("SELECT count(*) FROM job_runs WHERE job = 'reaper'") > 0);
    Map<String, JobRuns> jobs = jobRuns(from, dbNow());
    assertTrue(jobs.containsKey("reaper"), "the reaper runs: " + jobs);
    for (JobRuns j : jobs.values()) {
      log(
          "job %s: interval %d ms, %d of %d slots in the window ran, by node %s",
          j.job, j.intervalMs, j.runs, j.slots, j.byNode);
      // one run per slot (the primary key), and the slots are not skipped: not 3x, not 0
      assertTrue(j.runs <= j.slots, j.toString());
      if (j.intervalMs <= 10_000)
        assertTrue(j.runs * 2 >= j.slots && j.runs > 0, "most slots ran: " + j);
      assertTrue(
          Set.of(nodeIds).containsAll(j.byNode.keySet()), "runs by cluster members only: " + j);
    }
    // what the nodes themselves counted as run equals the claimed slots: each run happened on one
    // node only
    for (String job : jobs.keySet()) {
      Await.until(
          Duration.ofSeconds(10),
          "the three nodes ran " + job + " exactly as often as job_runs says",
          () -> {
            double before = jobRunsCountedByNodes(job, nodes);
            long rows = count("SELECT count(*) FROM job_runs WHERE job = '" + job + "'");
            double after = jobRunsCountedByNodes(job, nodes);
            return before == rows && after == rows;
          });
    }
  }

  // ---- 4. kill -9 of node 1
  // ------------------------------------------------------------------------------

  @Test
  @Order(4)
  void survivorsCarryOnAfterKillDashNineOfNode1() throws Exception {
    // sessions that node-1 started and whose later life happens elsewhere
    List<String> fromNode1 = new ArrayList<>();
    for (int i = 0; i < 3; i++) fromNode1.add(start(nodes[0], UUID.randomUUID()));
    assertStatus(
        204,
        nodes[0].send(
            HttpMethod.PUT,
            SESSIONS + "/" + fromNode1.get(0),
            INGEST_KEY,
            new JsonObject().put("position_seconds", 7)));

    nodes[0].kill();
    Timestamp killedAt = dbNow();
    long killedNanos = System.nanoTime();
    log("node-1 killed (kill -9)");

    // the survivors serve at once: nothing they need lived only on node-1
    String afterKill = start(nodes[1], UUID.randomUUID());
    assertStatus(
        204,
        nodes[2].send(
            HttpMethod.PUT,
            SESSIONS + "/" + afterKill,
            INGEST_KEY,
            new JsonObject().put("position_seconds", 5)));
    assertStatus(
        204,
        nodes[1].send(
            HttpMethod.PUT,
            SESSIONS + "/" + fromNode1.get(0),
            INGEST_KEY,
            new JsonObject().put("position_seconds", 9)));
    end(nodes[2], fromNode1.get(1));
    end(nodes[1], afterKill);

    // the cluster notices the dead member
    for (JarNode survivor : List.of(nodes[1], nodes[2]))
      survivor.awaitReady(2, Duration.ofSeconds(30));
    log(
        "survivors report 2 members %d ms after the kill",
        (System.nanoTime() - killedNanos) / 1_000_000);

    // periodic jobs carry on, claimed by survivors
    Set<String> survivors = Set.of(nodeIds[1], nodeIds[2]);
    Set<String> jobs = jobRuns(new Timestamp(0), dbNow()).keySet();
    for (String job : jobs) {
      if (job.equals("reaper") || frequent(job)) {
        Await.until(
            Duration.ofSeconds(30),
            job + " runs again on a survivor",
            () ->
                count(
                        "SELECT count(*) FROM job_runs WHERE job = '"
                            + job
                            + "' AND claimed_at > '"
                            + killedAt
                            + "' AND node_id IN ('"
                            + nodeIds[1]
                            + "', '"
                            + nodeIds[2]
                            + "')")
                    > 0);
      }
    }
    long byDead =
        count(
            "SELECT count(*) FROM job_runs WHERE claimed_at > '"
                + killedAt
                + "'::timestamptz + interval '1 second' "
                + "AND node_id = '"
                + nodeIds[0]
                + "'");
    assertEquals(0, byDead, "runs claimed by the dead node after its death");
    log(
        "periodic jobs %s carried on %d ms after the kill",
        jobs, (System.nanoTime() - killedNanos) / 1_000_000);

    // and keep serving after the membership change, on both survivors
    String late = start(nodes[2], UUID.randomUUID());
    assertStatus(
        204,
        nodes[1].send(
            HttpMethod.PUT,
            SESSIONS + "/" + late,
            INGEST_KEY,
            new JsonObject().put("position_seconds", 3)));
    end(nodes[1], late);
    end(nodes[2], fromNode1.get(2));
    Await.until(
        Duration.ofSeconds(10),
        "heartbeat via node-2 for a node-1 session written",
        () ->
            nodes[2]
                    .send(HttpMethod.GET, SESSIONS + "/" + fromNode1.get(0), VIEWER_KEY, null)
                    .bodyAsJsonObject()
                    .getDouble("position_seconds")
                == 9.0);

    // nothing acknowledged is lost, no alert is doubled
    assertAcknowledgedWritesInDatabase();
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM (SELECT user_id, alert_type FROM sharing_alerts WHERE status = 'open' "
                + "GROUP BY 1, 2 HAVING count(*) > 1) d"),
        "duplicate open alerts");

    // a dashboard on node-3 still gets node-2's events
    assertDashboardConnected();
    awaitFrame("session.started", afterKill);
    awaitFrame("session.ended", afterKill);
    awaitFrame("session.started", late);
    awaitFrame("session.ended", late);
  }

  // ---- 5. racing nodes raise one alert
  // -------------------------------------------------------------------

  @Test
  @Order(5)
  void streamsOfOneUserStartedOnBothSurvivorsAtOnceRaiseOneAlert() throws Exception {
    UUID user = UUID.randomUUID();
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    List<Thread> racers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      JarNode via = nodes[1 + i % 2];
      JsonObject body = SessionBodies.start(user, "device-" + i, "90.80.10.15");
      racers.add(
          new Thread(
              () -> {
                try {
                  start(via, body);
                } catch (Throwable t) {
                  failed.add(t);
                }
              }));
    }
    racers.forEach(Thread::start);
    for (Thread t : racers) t.join(30_000);
    assertEquals(List.of(), failed);
    assertEquals(
        6,
        count(
            "SELECT count(*) FROM playback_sessions WHERE user_id = '"
                + user
                + "' AND ended_at IS NULL"));
    // six devices on one account, judged by two detectors at once: the partial unique index keeps
    // one open alert
    Await.until(
        Duration.ofSeconds(20),
        "a concurrent-streams alert for the user",
        () ->
            count(
                    "SELECT count(*) FROM sharing_alerts WHERE status = 'open' AND alert_type = 'concurrent_streams' AND user_id = '"
                        + user
                        + "'")
                == 1);
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM (SELECT alert_type FROM sharing_alerts WHERE status = 'open' AND user_id = '"
                + user
                + "' GROUP BY 1 HAVING count(*) > 1) d"),
        "duplicate open alerts for the user");
    assertAcknowledgedWritesInDatabase();
    log("total %d s", (System.nanoTime() - startedNanos) / 1_000_000_000);
  }

  // ---- helpers
  // -------------------------------------------------------------------------------------------

  static String start(JarNode via, UUID user) {
    return start(via, SessionBodies.start(user));
  }

  static String start(JarNode via, JsonObject body) {
    HttpResponse<Buffer> r = via.send(HttpMethod.POST, SESSIONS, INGEST_KEY, body);
    assertStatus(201, r);
    String id = r.bodyAsJsonObject().getString("id");
    ackedStarts.add(id);
    return id;
  }

  static void end(JarNode via, String id) {
    assertStatus(204, via.send(HttpMethod.DELETE, SESSIONS + "/" + id, INGEST_KEY, null));
    ackedEnds.add(id);
  }

  static void assertStatus(int expected, HttpResponse<Buffer> r) {
    assertEquals(expected, r.statusCode(), r.bodyAsString());
  }

  static void assertAcknowledgedWritesInDatabase() {
    for (String id : ackedStarts) {
      assertEquals(
          1,
          count("SELECT count(*) FROM playback_sessions WHERE id = '" + id + "'"),
          "acknowledged start lost: " + id);
    }
    for (String id : ackedEnds) {
      assertEquals(
          1,
          count(
              "SELECT count(*) FROM playback_sessions WHERE id = '"
                  + id
                  + "' AND ended_at IS NOT NULL"),
          "acknowledged end lost: " + id);
    }
  }

  static void connectDashboard(JarNode on) {
    WebSocketClient ws = vertx.createWebSocketClient();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(on.httpPort())
            .setURI("/api/v1/live")
            .addHeader("Authorization", "Bearer " + VIEWER_KEY);
    try {
      // the handler is set on the event loop as the connection completes: the server's first frame
      // (hello) may already be on its way, and a frame with no handler yet is dropped
      dashboard =
          TestNode.await(
              ws.connect(options)
                  .onSuccess(w -> w.textMessageHandler(text -> frames.add(new JsonObject(text)))));
      dashboard.closeHandler(
          v ->
              dashboardFailure =
                  "the dashboard socket was closed: "
                      + dashboard.closeStatusCode()
                      + " "
                      + dashboard.closeReason());
    } catch (RuntimeException e) {
      dashboardFailure =
          "the dashboard could not connect to /api/v1/live on " + on.name() + ": " + rootMessage(e);
      log("%s", dashboardFailure);
    }
  }

  static void assertDashboardConnected() {
    assertTrue(dashboard != null && dashboardFailure == null, dashboardFailure);
  }

  static void awaitFrame(String type, String sessionId) {
    Predicate<JsonObject> match =
        f ->
            type.equals(f.getString("type"))
                && f.getValue("data") instanceof JsonObject d
                && sessionId.equals(d.getString("id"));
    Await.until(
        Duration.ofSeconds(10),
        type + " of " + sessionId + " on the node-3 dashboard",
        () -> frames.stream().anyMatch(match));
  }

  static String rootMessage(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) e = e.getCause();
    return e.toString();
  }

  /** One job's runs over a window: slots in it, slots that ran, by which node. */
  record JobRuns(String job, long intervalMs, long slots, long runs, Map<String, Long> byNode) {}

  /**
   * Job runs whose slot lies wholly inside [from, to). A job's interval is read from its slots
   * themselves (slot = epoch millis / interval), so jobs added later by other parts of the service
   * are checked too.
   */
  static Map<String, JobRuns> jobRuns(Timestamp from, Timestamp to) throws Exception {
    Map<String, JobRuns> out = new LinkedHashMap<>();
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      Map<String, Long> intervals = new HashMap<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT job, max(slot), max(extract(epoch FROM claimed_at) * 1000) FROM job_runs GROUP BY job")) {
        while (rs.next()) {
          long slot = rs.getLong(2);
          double millis = rs.getDouble(3);
          // the claim lands a little after the slot boundary, within the same slot
          intervals.put(
              rs.getString(1),
              slot == 0 ? Long.MAX_VALUE : Math.round(millis / slot / 1000.0) * 1000);
        }
      }
      for (var e : intervals.entrySet()) {
        long interval = e.getValue();
        long first = (from.getTime() + interval - 1) / interval;
        long last = to.getTime() / interval - 1;
        Map<String, Long> byNode = new LinkedHashMap<>();
        long runs = 0;
        try (ResultSet rs =
            st.executeQuery(
                "SELECT node_id, count(*) FROM job_runs WHERE job = '"
                    + e.getKey()
                    + "' AND slot BETWEEN "
                    + first
                    + " AND "
                    + last
                    + " GROUP BY node_id")) {
          while (rs.next()) {
            byNode.put(rs.getString(1), rs.getLong(2));
            runs += rs.getLong(2);
          }
        }
        out.put(
            e.getKey(),
            new JobRuns(e.getKey(), interval, Math.max(0, last - first + 1), runs, byNode));
      }
    }
    return out;
  }

  static boolean frequent(String job) throws Exception {
    JobRuns j = jobRuns(new Timestamp(0), dbNow()).get(job);
    return j != null && j.intervalMs() <= 10_000;
  }

  static double jobRunsCountedByNodes(String job, JarNode... on) {
    double sum = 0;
    for (JarNode n : on) {
      String text = n.send(HttpMethod.GET, "/metrics", null, null).bodyAsString();
      String prefix = "analytics_periodic_job_runs_total{job=\"" + job + "\"} ";
      sum +=
          text.lines()
              .filter(l -> l.startsWith(prefix))
              .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
              .sum();
    }
    return sum;
  }

  static Timestamp dbNow() throws Exception {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT now()")) {
      rs.next();
      return rs.getTimestamp(1);
    }
  }

  static double secondsSince(Timestamp t) {
    try {
      return (dbNow().getTime() - t.getTime()) / 1000.0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long count(String sql) {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  static void log(String format, Object... args) {
    System.out.printf(
        "[cluster-it +%ds] %s%n",
        (System.nanoTime() - startedNanos) / 1_000_000_000, String.format(format, args));
  }
}
