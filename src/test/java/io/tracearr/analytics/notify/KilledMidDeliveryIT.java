package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.JarNode;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: a node {@code kill -9}ed while it holds a delivery (claimed, request sent, the receiver
 * not yet answering) loses nothing: once its claim expires ({@code notifications.claim_seconds})
 * the node started in its place sends it again, with the same delivery id, and it ends delivered.
 * The packaged jar, as an operator runs it; logs in {@code target/notify-it/}.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KilledMidDeliveryIT {

  private static final String ADMIN_KEY = "it-admin-key-0123456789";
  private static final String INGEST_KEY = "it-ingest-key-0123456789";
  private static final int CLAIM_SECONDS = 15;

  @RegisterExtension static final NodeExtension postgres = NodeExtension.databaseOnly();

  static final Vertx vertx = Vertx.vertx();
  static final WebClient client = TestNode.client(vertx);
  static JarNode first;
  static JarNode second;

  @AfterAll
  static void stop() {
    if (first != null) first.kill();
    if (second != null) second.close();
    vertx.close();
  }

  private static JarNode node(String name, Path work) throws Exception {
    DatabaseUrl db = postgres.database();
    Map<String, String> env = new LinkedHashMap<>();
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
    env.put("ANALYTICS_DATA_DIR", work.resolve(name).resolve("data").toString());
    env.put("ANALYTICS_ADMIN_API_KEY", ADMIN_KEY);
    env.put("ANALYTICS_INGEST_API_KEY", INGEST_KEY);
    env.put("ANALYTICS_NOTIFICATIONS_CLAIM_SECONDS", Integer.toString(CLAIM_SECONDS));
    return JarNode.start(
        name,
        Path.of(System.getProperty("app.jar", "target/tracearr-analytics.jar")),
        env,
        work.resolve(name),
        Path.of("target", "notify-it", name + ".log"),
        client);
  }

  private static String deliveryRow(String sql) {
    DatabaseUrl db = postgres.database();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.database(),
                db.user(),
                db.password());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aDeliveryHeldByAKilledNodeIsSentAgainWithTheSameIdAndDelivered() throws Exception {
    // the first request hangs (the node is killed while waiting for it), every later one gets 200
    RecordingReceiver receiver =
        RecordingReceiver.start(vertx)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .script(RecordingReceiver.Reply.hang());
    Path work = Files.createTempDirectory("tracearr-notify-it");
    first = node("node-1", work);
    first.awaitReady(1, Duration.ofSeconds(60));
    HttpResponse<Buffer> channel =
        first.send(
            HttpMethod.POST,
            "/api/v1/analytics/notifications/channels",
            ADMIN_KEY,
            new JsonObject()
                .put("name", "hook")
                .put("type", "webhook")
                .put("url", receiver.url("/hook"))
                .put("secret", "it-secret-0123456789")
                .put("events", new JsonArray().add("alert.raised")));
    assertEquals(201, channel.statusCode(), channel.bodyAsString());

    // four devices of one user: a sharing alert, so one delivery
    UUID user = UUID.randomUUID();
    for (int i = 1; i <= 4; i++) {
      HttpResponse<Buffer> r =
          first.send(
              HttpMethod.POST,
              "/api/v1/analytics/sessions",
              INGEST_KEY,
              SessionBodies.start(user, "device-" + i, "192.168.1.10"));
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
    List<RecordingReceiver.Recorded> held =
        receiver
            .awaitRequests(1)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    String deliveryId = held.get(0).header("X-Analytics-Delivery");
    assertEquals(
        "delivering",
        deliveryRow("SELECT status FROM notification_deliveries WHERE id = '" + deliveryId + "'"),
        "node-1 holds the claim while the receiver hangs");
    String firstNodeId = first.nodeId();
    assertEquals(
        firstNodeId,
        deliveryRow(
            "SELECT claimed_by FROM notification_deliveries WHERE id = '" + deliveryId + "'"));

    first.kill();
    long killedAt = System.nanoTime();
    assertTrue(!first.alive(), "node-1 is gone");
    second = node("node-2", work);
    second.awaitReady(1, Duration.ofSeconds(60));

    Await.until(
        Duration.ofSeconds(CLAIM_SECONDS + 30),
        "the delivery is delivered after node-1's claim expires",
        () ->
            "delivered"
                .equals(
                    deliveryRow(
                        "SELECT status FROM notification_deliveries WHERE id = '"
                            + deliveryId
                            + "'")));
    Duration after = Duration.ofNanos(System.nanoTime() - killedAt);
    List<RecordingReceiver.Recorded> requests = receiver.requests();
    assertEquals(2, requests.size(), "the held attempt and the one that delivered it");
    assertEquals(
        deliveryId,
        requests.get(1).header("X-Analytics-Delivery"),
        "the same delivery id, so receivers can drop duplicates");
    assertEquals(
        1L,
        Long.parseLong(deliveryRow("SELECT count(*) FROM notification_deliveries")),
        "no second delivery row");
    System.out.printf(
        "delivery %s: held by %s, killed; delivered by %s %d ms after the kill%n",
        deliveryId, firstNodeId, second.nodeId(), after.toMillis());
    receiver.close();
  }
}
