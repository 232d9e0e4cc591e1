package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestClock;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The session lifecycle through real HTTP on real PostgreSQL. */
class SessionLifecycleTest {

  static final String API = "/api/v1/analytics/sessions";

  /**
   * The registry's clock: played time is what the test moves it by, not what the wall clock did
   * meanwhile.
   */
  static final TestClock clock = TestClock.atNow();

  @RegisterExtension
  static final NodeExtension nodes = NodeExtension.single().withSessionClock(clock);

  static final TestNode node = nodes.node();
  static final List<JsonObject> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void prepare() {
    var bus = node.app().vertx().eventBus();
    for (String a :
        List.of(Addresses.SESSION_STARTED, Addresses.SESSION_UPDATED, Addresses.SESSION_ENDED)) {
      bus.<JsonObject>consumer(
          a, m -> events.add(new JsonObject().put("type", a).put("session", m.body())));
    }
  }

  static JsonObject session(String id) {
    var r = node.get(API + "/" + id, TestNode.VIEWER_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static long eventsOf(String type, String id) {
    return events.stream()
        .filter(
            e ->
                e.getString("type").equals(type)
                    && e.getJsonObject("session").getString("id").equals(id))
        .count();
  }

  @Test
  void startHeartbeatPauseResumeEnd() {
    UUID user = UUID.randomUUID();
    var started = node.post(API, TestNode.INGEST_KEY, SessionBodies.start(user));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    JsonObject s = started.bodyAsJsonObject();
    String id = s.getString("id");
    assertEquals("playing", s.getString("status"));
    assertNull(s.getString("ended_at"));
    assertEquals(
        1,
        node.count("SELECT count(*) FROM playback_sessions WHERE id = '" + id + "'"),
        "committed before the reply");
    Await.until(
        Duration.ofSeconds(5),
        "session.started event",
        () -> eventsOf(Addresses.SESSION_STARTED, id) == 1);

    assertTrue(activeIds(user).contains(id));
    Instant startedAt = Instant.parse(s.getString("started_at"));
    assertEquals(clock.instant(), startedAt, "stamped by the registry's clock");
    // play 60 s, pause 80 s, resume 60 s: played time excludes the pause
    clock.advance(Duration.ofSeconds(60));
    assertEquals(
        204,
        node.put(
                API + "/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("status", "paused").put("position_seconds", 60))
            .statusCode());
    clock.advance(Duration.ofSeconds(80));
    assertEquals(
        204,
        node.put(
                API + "/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("status", "playing").put("position_seconds", 60))
            .statusCode());
    Await.until(
        Duration.ofSeconds(5),
        "heartbeats flushed",
        () ->
            "playing".equals(session(id).getString("status"))
                && session(id).getDouble("position_seconds") == 60.0);
    assertEquals(
        60.0,
        session(id).getDouble("duration_seconds"),
        0.001,
        "the paused stretch is not played time");
    Instant endedAt = clock.advance(Duration.ofSeconds(60));
    assertEquals(
        204,
        node.delete(
                API + "/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("ended_at", endedAt.toString()))
            .statusCode());

    JsonObject ended = session(id);
    assertEquals("ended", ended.getString("status"));
    assertEquals("client", ended.getString("ended_reason"));
    assertEquals(endedAt, Instant.parse(ended.getString("ended_at")));
    assertEquals(200.0, Duration.between(startedAt, endedAt).toMillis() / 1000.0);
    assertEquals(
        120.0,
        ended.getDouble("duration_seconds"),
        0.001,
        "played 60 s + 60 s of 200 s (80 s paused)");
    assertTrue(!activeIds(user).contains(id), "no longer active");
    Await.until(
        Duration.ofSeconds(5),
        "session.ended event",
        () -> eventsOf(Addresses.SESSION_ENDED, id) == 1);
    assertTrue(eventsOf(Addresses.SESSION_UPDATED, id) >= 1, "session.updated published");

    var history = node.get(API + "/user/" + user, TestNode.VIEWER_KEY).bodyAsJsonObject();
    assertEquals(id, history.getJsonArray("items").getJsonObject(0).getString("id"));
    assertEquals("ended", history.getJsonArray("items").getJsonObject(0).getString("status"));
  }

  @Test
  void bytesAreIntegratedFromBandwidthUnlessReported() {
    String id =
        node.post(
                API,
                TestNode.INGEST_KEY,
                SessionBodies.start(UUID.randomUUID()).put("bandwidth_kbps", 8000))
            .bodyAsJsonObject()
            .getString("id");
    // 0.5 s at 8000 kbit/s (1 000 000 bytes a second)
    clock.advance(Duration.ofMillis(500));
    node.put(API + "/" + id, TestNode.INGEST_KEY, new JsonObject().put("position_seconds", 1));
    Await.until(
        Duration.ofSeconds(5),
        "bytes integrated",
        () -> session(id).getLong("bytes_transferred") >= 400_000);
    assertEquals(
        500_000L,
        session(id).getLong("bytes_transferred"),
        "integrated over the 0.5 s the clock moved");
    node.put(
        API + "/" + id,
        TestNode.INGEST_KEY,
        new JsonObject().put("bytes_transferred", 123_456_789L));
    Await.until(
        Duration.ofSeconds(5),
        "reported bytes win",
        () -> session(id).getLong("bytes_transferred") == 123_456_789L);
  }

  @Test
  void idempotentRetryConflictingRetryDoubleEndHeartbeatAfterEnd() {
    UUID user = UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    JsonObject body = SessionBodies.start(user).put("id", id);
    assertEquals(201, node.post(API, TestNode.INGEST_KEY, body).statusCode());
    var retry = node.post(API, TestNode.INGEST_KEY, body);
    assertEquals(200, retry.statusCode(), "same id, same body");
    assertEquals(id, retry.bodyAsJsonObject().getString("id"));
    assertEquals(1, node.count("SELECT count(*) FROM playback_sessions WHERE id = '" + id + "'"));
    var conflict =
        node.post(
            API, TestNode.INGEST_KEY, body.copy().put("user_id", UUID.randomUUID().toString()));
    assertEquals(409, conflict.statusCode(), "same id, other user");
    var otherContent =
        node.post(
            API, TestNode.INGEST_KEY, body.copy().put("content_id", UUID.randomUUID().toString()));
    assertEquals(409, otherContent.statusCode(), "same id, other content");
    Await.until(
        Duration.ofSeconds(5),
        "one started event",
        () -> eventsOf(Addresses.SESSION_STARTED, id) == 1);

    assertEquals(204, node.delete(API + "/" + id, TestNode.INGEST_KEY, null).statusCode());
    String endedAt = session(id).getString("ended_at");
    assertEquals(
        204, node.delete(API + "/" + id, TestNode.INGEST_KEY, null).statusCode(), "ending twice");
    assertEquals(endedAt, session(id).getString("ended_at"), "nothing changes");
    var late =
        node.put(API + "/" + id, TestNode.INGEST_KEY, new JsonObject().put("position_seconds", 5));
    assertEquals(409, late.statusCode(), late.bodyAsString());
    assertEquals(
        404,
        node.put(API + "/" + UUID.randomUUID(), TestNode.INGEST_KEY, new JsonObject())
            .statusCode());
    assertEquals(
        404, node.delete(API + "/" + UUID.randomUUID(), TestNode.INGEST_KEY, null).statusCode());
    assertEquals(404, node.get(API + "/" + UUID.randomUUID(), TestNode.VIEWER_KEY).statusCode());
    Await.until(
        Duration.ofSeconds(5), "one ended event", () -> eventsOf(Addresses.SESSION_ENDED, id) == 1);
  }

  @Test
  void lateStartAndLateEndAreAccepted() {
    Instant startedAt =
        Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    var r =
        node.post(
            API,
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()).put("started_at", startedAt.toString()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String id = r.bodyAsJsonObject().getString("id");
    assertEquals(startedAt, Instant.parse(r.bodyAsJsonObject().getString("started_at")));
    Instant endedAt = startedAt.plus(Duration.ofMinutes(30));
    assertEquals(
        204,
        node.delete(
                API + "/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("ended_at", endedAt.toString()))
            .statusCode());
    JsonObject s = session(id);
    assertEquals(endedAt, Instant.parse(s.getString("ended_at")));
    assertEquals(
        1800.0, s.getDouble("duration_seconds"), 0.01, "played from start to the reported end");
  }

  @Test
  void historyPaginationWalksEveryRowExactlyOnce() {
    UUID user = UUID.randomUUID();
    Set<String> created = new HashSet<>();
    Instant base = Instant.now().minus(Duration.ofDays(1));
    for (int i = 0; i < 23; i++) {
      // several share a start instant, so the id breaks ties in the keyset
      var body =
          SessionBodies.start(user).put("started_at", base.plusSeconds((i / 3) * 60L).toString());
      var r = node.post(API, TestNode.INGEST_KEY, body);
      assertEquals(201, r.statusCode());
      created.add(r.bodyAsJsonObject().getString("id"));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    Instant previous = Instant.MAX;
    int pages = 0;
    do {
      String q = API + "/user/" + user + "?limit=5" + (cursor == null ? "" : "&before=" + cursor);
      var page = node.get(q, TestNode.VIEWER_KEY).bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        JsonObject s = items.getJsonObject(i);
        assertTrue(seen.add(s.getString("id")), "no row twice");
        Instant at = Instant.parse(s.getString("started_at"));
        assertTrue(!at.isAfter(previous), "newest first");
        previous = at;
      }
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null);
    assertEquals(created, seen, "every row once");
    assertEquals(5, pages);
  }

  static Set<String> activeIds(UUID user) {
    var r =
        node.get(API + "/active?user_id=" + user, TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < r.size(); i++) ids.add(r.getJsonObject(i).getString("id"));
    return ids;
  }
}
