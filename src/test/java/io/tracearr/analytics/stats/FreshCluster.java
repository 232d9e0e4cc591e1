package io.tracearr.analytics.stats;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The two-node cluster of the freshness tests (a change committed on node a, read on node b):
 * roll-ups run only when a start or end asks for one (the periodic interval is a day),
 * min_play_seconds 0 makes a just-started session a play, no session times out meanwhile.
 * Registered on a static field, it boots the nodes, waits for node a's startup jobs and listens on
 * node b to the given addresses before the class's own {@code @BeforeAll}.
 */
final class FreshCluster implements BeforeAllCallback, AfterAllCallback {

  private final NodeExtension nodes =
      NodeExtension.cluster(
          2,
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("min_play_seconds", 0))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  private final String[] addresses;

  /**
   * What node b heard: {@code "address:"} for each event, and {@code "address:id"} for one whose
   * body has an id (a session's).
   */
  final Set<String> heardOnB = ConcurrentHashMap.newKeySet();

  FreshCluster(String... addresses) {
    this.addresses = addresses;
  }

  TestNode a() {
    return nodes.node(0);
  }

  TestNode b() {
    return nodes.node(1);
  }

  /**
   * A session start's body: a movie on Chrome at 8 000 kbps, played since {@code startedAt}; the
   * caller adds the names, client and address it reads back.
   */
  static JsonObject movieStart(UUID id, UUID user, UUID content, Instant startedAt) {
    return new JsonObject()
        .put("id", id.toString())
        .put("user_id", user.toString())
        .put("content_type", "movie")
        .put("content_id", content.toString())
        .put("device_name", "Chrome")
        .put("bandwidth_kbps", 8000)
        .put("started_at", startedAt.toString());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    nodes.beforeAll(context);
    Seed.startupJobsDone(a());
    for (String address : addresses) {
      TestNode.await(
          b().app()
              .vertx()
              .eventBus()
              .<JsonObject>consumer(
                  address,
                  msg -> {
                    heardOnB.add(address + ":");
                    if (msg.body().getValue("id") instanceof String id)
                      heardOnB.add(address + ":" + id);
                  })
              .completion());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    nodes.afterAll(context);
  }
}
