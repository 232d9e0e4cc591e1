package io.tracearr.analytics.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.media.MediaIds;
import io.tracearr.analytics.media.MediaServerSimulator;
import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.media.ServerType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * A {@link MediaServerSimulator} added to a node as a watched media server (not validated, polled
 * every second) with only the playbacks a test puts on it, and the node's session of one of its
 * users once the watcher has opened it: the set-up the terminate and sharing-alert tests share.
 */
public final class WatchedServer implements AutoCloseable {

  public final MediaServerSimulator sim;

  /** the media server's id on the node */
  public final UUID id;

  private final TestNode node;

  private WatchedServer(TestNode node, MediaServerSimulator sim, UUID id) {
    this.node = node;
    this.sim = sim;
    this.id = id;
  }

  /**
   * Starts a simulator of {@code type} accepting {@code token} on {@code vertx}, playing {@code
   * playbacks} (no fixture sessions), and adds it to {@code node} as {@code name}.
   */
  public static WatchedServer add(
      TestNode node,
      Vertx vertx,
      ServerType type,
      String token,
      String name,
      Playback... playbacks) {
    MediaServerSimulator sim = TestNode.await(MediaServerSimulator.start(vertx, type, token));
    sim.fixtureSessions(false);
    for (Playback p : playbacks) sim.put(p);
    HttpResponse<Buffer> added =
        node.post(
            "/api/v1/analytics/servers?validate=false",
            TestNode.ADMIN_KEY,
            new JsonObject()
                .put("name", name)
                .put("type", type.id())
                .put("url", sim.baseUrl())
                .put("token", sim.token())
                .put("poll_interval_seconds", 1));
    assertEquals(201, added.statusCode(), added.bodyAsString());
    return new WatchedServer(node, sim, UUID.fromString(added.bodyAsJsonObject().getString("id")));
  }

  /** The node's user id of the server's user {@code serverUserId}. */
  public UUID user(String serverUserId) {
    return MediaIds.user(id, serverUserId);
  }

  /**
   * Waits until the watcher has opened the one session of the server's user {@code serverUserId};
   * answers the session's id.
   */
  public String openSession(String serverUserId) {
    UUID user = user(serverUserId);
    Await.until(
        Duration.ofSeconds(20),
        "the " + sim.type().id() + " session open",
        () ->
            node.count(
                    "SELECT count(*) FROM playback_sessions WHERE ended_at IS NULL AND user_id = '"
                        + user
                        + "'")
                == 1);
    return node.get("/api/v1/analytics/sessions/active?user_id=" + user, TestNode.ADMIN_KEY)
        .bodyAsJsonObject()
        .getJsonArray("items")
        .getJsonObject(0)
        .getString("id");
  }

  @Override
  public void close() {
    sim.close();
  }
}
