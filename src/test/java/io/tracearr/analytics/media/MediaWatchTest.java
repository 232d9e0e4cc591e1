package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.metrics.Scrape;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Watching a server through the real service: the simulator's playbacks become our sessions via the
 * connector's polls and the registry's commands, in PostgreSQL, read back through REST.
 */
class MediaWatchTest {

  /** Poll interval of the watched servers in these tests. */
  private static final int INTERVAL = 1;

  /**
   * "Within two poll intervals", plus slack for a loaded 2-core machine (a poll, a bus hop, a
   * heartbeat flush of 250 ms and an HTTP read).
   */
  private static final Duration TWO_POLLS = Duration.ofSeconds(2L * INTERVAL + 4);

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single(new JsonObject());
  static final TestNode node = nodes.node();

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestNode.await(vertx.close());
  }

  static MediaServerSimulator simulator(ServerType type, String token) {
    MediaServerSimulator sim = TestNode.await(MediaServerSimulator.start(vertx, type, token));
    sim.fixtureSessions(false);
    return sim;
  }

  /**
   * Added without the check (every simulated Jellyfin has the fixture's id), so each gets a random
   * id.
   */
  static UUID addServer(MediaServerSimulator sim, String name, String token, int interval) {
    HttpResponse<Buffer> r =
        node.post(
            "/api/v1/analytics/servers?validate=false",
            TestNode.ADMIN_KEY,
            new JsonObject()
                .put("name", name)
                .put("type", sim.type().id())
                .put("url", sim.baseUrl())
                .put("token", token)
                .put("poll_interval_seconds", interval));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return UUID.fromString(r.bodyAsJsonObject().getString("id"));
  }

  static JsonObject session(UUID id) {
    HttpResponse<Buffer> r = node.get("/api/v1/analytics/sessions/" + id, TestNode.ADMIN_KEY);
    return r.statusCode() == 200 ? r.bodyAsJsonObject() : null;
  }

  static JsonObject server(UUID id) {
    return node.get("/api/v1/analytics/servers/" + id, TestNode.ADMIN_KEY).bodyAsJsonObject();
  }

  static Scrape metrics() {
    return Scrape.parse(node.get("/metrics", null).bodyAsString());
  }

  static long sessionPolls(MediaServerSimulator sim) {
    return sim.requests().stream()
        .filter(r -> r.equals("GET /Sessions") || r.equals("GET /status/sessions"))
        .count();
  }

  static Playback episode(String key, String item, String user) {
    return Playback.episode(
        key,
        item,
        "Cat's in the Bag...",
        user,
        "Walter",
        "device-" + key,
        "Living Room TV",
        "198.51.100.7");
  }

  @Test
  void sessionsAppearWithinTwoPollsAndPositionAndPauseFollow() {
    MediaServerSimulator sim = simulator(ServerType.JELLYFIN, "jf-token-watch-1");
    Playback p = episode("sess-a", "item-a", "user-a").withPosition(42);
    sim.put(p);
    UUID server = addServer(sim, "watch-appear", sim.token(), INTERVAL);
    UUID id = MediaIds.session(server, "sess-a", "item-a");

    Await.until(TWO_POLLS, "the playback as a session", () -> session(id) != null);
    JsonObject s = session(id);
    assertEquals(MediaIds.user(server, "user-a").toString(), s.getString("user_id"));
    assertEquals(MediaIds.content(server, "item-a").toString(), s.getString("content_id"));
    assertEquals("Cat's in the Bag...", s.getString("content_title"));
    assertEquals("episode", s.getString("content_type"));
    assertEquals("Living Room TV", s.getString("device_name"));
    assertEquals("198.51.100.7", s.getString("ip_address"));
    Await.until(
        TWO_POLLS,
        "position 42 s, playing",
        () -> {
          JsonObject now = session(id);
          return now.getString("status").equals("playing")
              && Math.abs(now.getDouble("position_seconds") - 42) < 0.5;
        });

    sim.put(p.withPosition(600).withPaused(true));
    Await.until(
        TWO_POLLS,
        "pause and position followed",
        () -> {
          JsonObject now = session(id);
          return now.getString("status").equals("paused")
              && Math.abs(now.getDouble("position_seconds") - 600) < 0.5;
        });
    sim.put(p.withPosition(610));
    Await.until(
        TWO_POLLS, "playing again", () -> session(id).getString("status").equals("playing"));

    assertEquals("up", server(server).getString("status"));
    Await.until(
        Duration.ofSeconds(15),
        "the up gauge and a poll histogram",
        () -> {
          Scrape m = metrics();
          return m.sum("analytics_media_server_up", Map.of("server", "watch-appear")) == 1
              && m.sum(
                      "analytics_media_poll_duration_seconds_count",
                      Map.of("server", "watch-appear", "outcome", "up"))
                  >= 2;
        });
    // the push channel is open and subscribed
    Await.until(
        Duration.ofSeconds(10),
        "a subscribed push socket",
        () ->
            sim.openSockets() == 1
                && sim.socketMessages().stream().anyMatch(m -> m.contains("SessionsStart")));
  }

  @Test
  void anItemChangeEndsTheOldSessionAndStartsANewOne() {
    MediaServerSimulator sim = simulator(ServerType.PLEX, "plex-token-watch-2");
    Playback p = episode("7", "1001", "42");
    sim.put(p);
    UUID server = addServer(sim, "watch-item", sim.token(), INTERVAL);
    UUID first = MediaIds.session(server, "7", "1001");
    Await.until(TWO_POLLS, "the first item's session", () -> session(first) != null);

    sim.put(p.withItem("1002", "Pilot"));
    UUID second = MediaIds.session(server, "7", "1002");
    Await.until(TWO_POLLS, "the second item's session", () -> session(second) != null);
    JsonObject ended = session(first);
    assertEquals("ended", ended.getString("status"));
    assertEquals("client", ended.getString("ended_reason"));
    assertEquals("Pilot", session(second).getString("content_title"));
    assertNull(session(second).getString("ended_at"));
  }

  @Test
  void aVanishedSessionEndsAfterTwoMissedPolls() {
    MediaServerSimulator sim = simulator(ServerType.JELLYFIN, "jf-token-watch-3");
    sim.put(episode("sess-v", "item-v", "user-v"));
    UUID server = addServer(sim, "watch-vanish", sim.token(), INTERVAL);
    UUID id = MediaIds.session(server, "sess-v", "item-v");
    Await.until(TWO_POLLS, "the session", () -> session(id) != null);

    sim.remove("sess-v");
    long pollsAtRemoval = sessionPolls(sim);
    Await.until(
        Duration.ofSeconds(3L * INTERVAL + 5),
        "the session ended",
        () -> session(id).getString("ended_at") != null);
    assertEquals("client", session(id).getString("ended_reason"));
    assertTrue(sessionPolls(sim) - pollsAtRemoval >= 2, "ended only after two polls without it");
  }

  /**
   * Poll interval of the confirmation tests: long enough that the old rule (the end at the next
   * poll, one interval after the poll that first missed the playback) is far from their deadline.
   */
  private static final int SLOW_INTERVAL = 5;

  /**
   * From the first poll that misses a stopped playback to its end: the confirmation ({@value
   * ServerWatcher#CONFIRM_DELAY_MS} ms later), its answer and the end command, with slack for a
   * loaded 2-core machine. Ending at the next poll instead would take a whole interval ({@value
   * #SLOW_INTERVAL} s), so this fails without confirmations whatever the load.
   */
  private static final Duration CONFIRMED_END = Duration.ofMillis(3_000);

  @ParameterizedTest
  @EnumSource(ServerType.class)
  void aStopEndsAtTheConfirmationWellBeforeTheNextPoll(ServerType type) {
    MediaServerSimulator sim = simulator(type, "token-watch-stop-" + type.id() + "-0123456789");
    sim.put(episode("sess-s", "item-s", "user-s"));
    UUID server = addServer(sim, "watch-stop-" + type.id(), sim.token(), SLOW_INTERVAL);
    UUID id = MediaIds.session(server, "sess-s", "item-s");
    Await.until(Duration.ofSeconds(15), "the session", () -> session(id) != null);
    // the first answer's identity look-up is over (Plex's asks for the sessions too, which would
    // take the removal below instead of a poll)
    Await.until(
        Duration.ofSeconds(15),
        "the server's identity read",
        () -> server(server).getString("version") != null);

    // the playback stops as the next poll is answered: that poll is the first to miss it
    sim.removeAtNextAnswer("sess-s");
    Await.until(
        Duration.ofSeconds(2L * SLOW_INTERVAL + 5),
        "a poll without the playback",
        () -> sim.removedAtNanos("sess-s") != null);
    long missedAt = sim.removedAtNanos("sess-s");
    Duration left = CONFIRMED_END.minusNanos(System.nanoTime() - missedAt);
    Await.until(
        left.isNegative() ? Duration.ZERO : left,
        "the end within " + CONFIRMED_END + " of the first poll that missed the playback",
        () -> session(id).getString("ended_at") != null);
    long tookMs = (System.nanoTime() - missedAt) / 1_000_000;
    assertTrue(tookMs < CONFIRMED_END.toMillis(), "ended " + tookMs + " ms after the first miss");
    assertEquals("client", session(id).getString("ended_reason"));

    // the end came from one confirming request, asked after the delay, not from the next poll
    java.util.List<Long> after =
        sim.sessionAnswerTimes().stream().filter(t -> t > missedAt).toList();
    assertTrue(!after.isEmpty(), "a confirming request");
    long confirmedAfterMs = (after.get(0) - missedAt) / 1_000_000;
    assertTrue(
        confirmedAfterMs >= ServerWatcher.CONFIRM_DELAY_MS - 5
            && confirmedAfterMs < SLOW_INTERVAL * 1000L - 1000,
        "the confirmation " + confirmedAfterMs + " ms after the poll that missed");
  }

  @Test
  void aPlaybackLeftOutOfOneAnswerGoesOnWhenTheConfirmationSeesItBack() {
    MediaServerSimulator sim = simulator(ServerType.JELLYFIN, "jf-token-watch-partial");
    sim.put(episode("sess-p", "item-p", "user-p").withPosition(100));
    UUID server = addServer(sim, "watch-partial", sim.token(), SLOW_INTERVAL);
    UUID id = MediaIds.session(server, "sess-p", "item-p");
    Await.until(Duration.ofSeconds(15), "the session", () -> session(id) != null);
    Await.until(
        Duration.ofSeconds(15),
        "its first heartbeat",
        () -> session(id).getString("last_heartbeat_at") != null);
    String beatBefore = session(id).getString("last_heartbeat_at");

    sim.leaveOutOfNextAnswers("sess-p", 1);
    sim.put(episode("sess-p", "item-p", "user-p").withPosition(160));
    Await.until(
        Duration.ofSeconds(2L * SLOW_INTERVAL + 5),
        "a poll that leaves the playback out",
        () -> sim.leftOutAtNanos("sess-p") != null);
    long partialAt = sim.leftOutAtNanos("sess-p");
    // its confirmation (the playback is back), and the next poll
    Await.until(
        Duration.ofSeconds(2L * SLOW_INTERVAL + 5),
        "the confirmation and the next poll",
        () -> sim.sessionAnswerTimes().stream().filter(t -> t > partialAt).count() >= 2);
    long confirmedAt =
        sim.sessionAnswerTimes().stream().filter(t -> t > partialAt).findFirst().orElseThrow();
    long confirmedAfterMs = (confirmedAt - partialAt) / 1_000_000;
    assertTrue(
        confirmedAfterMs < SLOW_INTERVAL * 1000L - 1000,
        "the answer after the partial one was the confirmation, " + confirmedAfterMs + " ms later");
    // the next poll's heartbeat reaches the same session, which never ended
    Await.until(
        Duration.ofSeconds(10),
        "the same session's heartbeat after the partial answer",
        () ->
            Math.abs(session(id).getDouble("position_seconds") - 160) < 0.5
                && !session(id).getString("last_heartbeat_at").equals(beatBefore));
    assertNull(session(id).getString("ended_at"), "a playback left out of one answer goes on");
    assertNull(
        session(MediaIds.session(server, "sess-p", "item-p", 1)),
        "and is not restarted as a replay");
  }

  @Test
  void anUnreachableServerEndsNothingAndItsSessionsContinueWhenItReturns() {
    MediaServerSimulator sim = simulator(ServerType.JELLYFIN, "jf-token-watch-4");
    sim.put(episode("sess-u", "item-u", "user-u"));
    UUID server = addServer(sim, "watch-unreachable", sim.token(), INTERVAL);
    UUID id = MediaIds.session(server, "sess-u", "item-u");
    Await.until(TWO_POLLS, "the session", () -> session(id) != null);

    TestNode.await(sim.stop());
    Await.until(
        TWO_POLLS,
        "status unreachable",
        () -> server(server).getString("status").equals("unreachable"));
    assertTrue(
        server(server).getString("status_detail").contains("could not be reached"),
        server(server).encode());
    double failed =
        metrics()
            .sum(
                "analytics_media_poll_duration_seconds_count",
                Map.of("server", "watch-unreachable", "outcome", "unreachable"));
    Await.until(
        Duration.ofSeconds(10),
        "three more failed polls",
        () ->
            metrics()
                    .sum(
                        "analytics_media_poll_duration_seconds_count",
                        Map.of("server", "watch-unreachable", "outcome", "unreachable"))
                >= failed + 3);
    assertNull(session(id).getString("ended_at"), "nothing ends while the server cannot be asked");
    assertEquals(
        200,
        node.get("/health/ready", null).statusCode(),
        "a media server down does not make us unready");

    String lastBeat = session(id).getString("last_heartbeat_at");
    TestNode.await(sim.restart());
    Await.until(
        TWO_POLLS, "status up again", () -> server(server).getString("status").equals("up"));
    Await.until(
        TWO_POLLS,
        "the same session goes on",
        () -> !session(id).getString("last_heartbeat_at").equals(lastBeat));
    assertNull(session(id).getString("ended_at"));
  }

  @Test
  void aRejectedTokenGivesStatusUnauthorized() {
    MediaServerSimulator sim = simulator(ServerType.JELLYFIN, "jf-token-watch-5");
    sim.put(episode("sess-t", "item-t", "user-t"));
    java.util.List<JsonObject> down = new java.util.concurrent.CopyOnWriteArrayList<>();
    TestNode.await(
        node.app()
            .vertx()
            .eventBus()
            .<JsonObject>consumer(
                io.tracearr.analytics.bus.Addresses.MEDIA_SERVER_DOWN, m -> down.add(m.body()))
            .completion());
    UUID server = addServer(sim, "watch-token", "not-the-token", INTERVAL);
    Await.until(
        TWO_POLLS,
        "status unauthorized",
        () -> server(server).getString("status").equals("unauthorized"));
    assertTrue(
        server(server).getString("status_detail").contains("HTTP 401"), server(server).encode());
    assertNull(session(MediaIds.session(server, "sess-t", "item-t")));
    Await.until(
        Duration.ofSeconds(5),
        "one events.media_server.down",
        () ->
            down.stream()
                .anyMatch(
                    e ->
                        e.getString("id").equals(server.toString())
                            && e.getString("status").equals("unauthorized")));
    assertTrue(
        down.stream()
            .noneMatch(e -> e.containsKey("token") || e.encode().contains("not-the-token")));
    HttpResponse<Buffer> health = node.get("/health/ready", null);
    assertEquals(200, health.statusCode());
    assertTrue(
        health
            .bodyAsString()
            .contains("\"name\":\"watch-token\",\"type\":\"jellyfin\",\"status\":\"unauthorized\""),
        health.bodyAsString());
    Await.until(
        Duration.ofSeconds(15),
        "the up gauge at 0",
        () ->
            metrics().has("analytics_media_server_up", Map.of("server", "watch-token"))
                && metrics().sum("analytics_media_server_up", Map.of("server", "watch-token"))
                    == 0);
  }

  @Test
  void aPlexPushMakesThePollComeSooner() {
    MediaServerSimulator sim = simulator(ServerType.PLEX, "plex-token-watch-6");
    Playback p = episode("9", "2001", "43");
    sim.put(p);
    UUID server = addServer(sim, "watch-push", sim.token(), 60);
    UUID id = MediaIds.session(server, "9", "2001");
    Await.until(TWO_POLLS, "the session from the first poll", () -> session(id) != null);
    Await.until(Duration.ofSeconds(10), "the notifications socket", () -> sim.openSockets() == 1);

    sim.put(p.withPaused(true).withPosition(300));
    sim.pushPlaying("9", "2001", "paused", 300_000);
    // the next poll is a minute away: only the push can bring the pause this soon
    Await.until(
        Duration.ofSeconds(10),
        "the pause, pushed",
        () -> session(id).getString("status").equals("paused"));
  }
}
