package io.tracearr.analytics.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Drives one node like a media server and an operator would: sessions in, alerts out, all over
 * HTTP.
 */
final class SharingFixture {

  static final String SESSIONS = "/api/v1/analytics/sessions";
  static final String ALERTS = "/api/v1/analytics/sharing/alerts";
  static final String DETECT = "/api/v1/analytics/sharing/detect";
  static final Duration WAIT = Duration.ofSeconds(10);

  // fixture networks (src/test/resources/geoip/README.md)
  static final String PARIS = "90.80.10.7";
  static final String PARIS_2 = "90.80.10.8";
  static final String SYRACUSE = "24.24.24.24";
  static final String LONDON = "81.2.69.10";
  static final String FR_CENTROID = "62.147.0.1";
  static final String LAN = "192.168.1.10";

  static String geoipFixture() {
    return Path.of("src/test/resources/geoip/GeoIP2-City-Test.mmdb").toAbsolutePath().toString();
  }

  static JsonObject withGeoIp(JsonObject sharingDetection) {
    return new JsonObject()
        .put(
            "analytics",
            new JsonObject()
                .put("geoip_db_path", geoipFixture())
                .put("sharing_detection", sharingDetection));
  }

  final TestNode node;

  /** every alert event the node published, in order: {"address": ..., "alert": {...}} */
  final Queue<JsonObject> events = new ConcurrentLinkedQueue<>();

  SharingFixture(TestNode node) {
    this.node = node;
    for (String address :
        List.of(Addresses.ALERT_RAISED, Addresses.ALERT_UPDATED, Addresses.ALERT_DISMISSED)) {
      TestNode.await(
          node.app()
              .vertx()
              .eventBus()
              .<JsonObject>consumer(
                  address,
                  msg ->
                      events.add(new JsonObject().put("address", address).put("alert", msg.body())))
              .completion());
    }
  }

  static JsonObject startBody(UUID user, String device, String ip, Instant startedAt) {
    JsonObject body =
        new JsonObject()
            .put("user_id", user.toString())
            .put("content_type", "episode")
            .put("content_id", UUID.randomUUID().toString())
            .put("content_title", "S01E01")
            .put("client_name", "Plex Web")
            .put("device_name", device + " name")
            .put("device_id", device)
            .put("ip_address", ip);
    if (startedAt != null) body.put("started_at", startedAt.toString());
    return body;
  }

  /** Starts a session; returns it as the API answered. */
  JsonObject start(UUID user, String device, String ip) {
    return start(user, device, ip, null);
  }

  JsonObject start(UUID user, String device, String ip, Instant startedAt) {
    HttpResponse<Buffer> r =
        node.post(SESSIONS, TestNode.INGEST_KEY, startBody(user, device, ip, startedAt));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** Starts every body at the same time (concurrent HTTP requests). */
  List<JsonObject> startAll(List<JsonObject> bodies) {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (JsonObject b : bodies) {
      sent.add(
          node.client()
              .post(SESSIONS)
              .putHeader("Authorization", "Bearer " + TestNode.INGEST_KEY)
              .sendJsonObject(b));
    }
    TestNode.await(Future.all(sent));
    List<JsonObject> out = new ArrayList<>();
    for (var f : sent) {
      assertEquals(201, f.result().statusCode(), f.result().bodyAsString());
      out.add(f.result().bodyAsJsonObject());
    }
    return out;
  }

  void end(JsonObject session) {
    HttpResponse<Buffer> r =
        node.delete(SESSIONS + "/" + session.getString("id"), TestNode.INGEST_KEY, null);
    assertEquals(204, r.statusCode(), r.bodyAsString());
  }

  /** Ends a session at a given time (a past end, as a media server reports it late). */
  void endAt(JsonObject session, Instant endedAt) {
    HttpResponse<Buffer> r =
        node.delete(
            SESSIONS + "/" + session.getString("id"),
            TestNode.INGEST_KEY,
            new JsonObject().put("ended_at", endedAt.toString()));
    assertEquals(204, r.statusCode(), r.bodyAsString());
  }

  void heartbeat(JsonObject session, JsonObject body) {
    HttpResponse<Buffer> r =
        node.put(SESSIONS + "/" + session.getString("id"), TestNode.INGEST_KEY, body);
    assertEquals(204, r.statusCode(), r.bodyAsString());
  }

  JsonObject session(String id) {
    HttpResponse<Buffer> r = node.get(SESSIONS + "/" + id, TestNode.VIEWER_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** Runs DetectSharing now (admin); the alerts it raised or updated. */
  List<JsonObject> detect() {
    HttpResponse<Buffer> r = node.post(DETECT, TestNode.ADMIN_KEY, null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return items(r.bodyAsJsonObject());
  }

  /** Every alert of the user, newest first, as a viewer sees them. */
  List<JsonObject> alerts(UUID user) {
    HttpResponse<Buffer> r = node.get(ALERTS + "?limit=500&user_id=" + user, TestNode.VIEWER_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return items(r.bodyAsJsonObject());
  }

  List<JsonObject> alerts(UUID user, String type) {
    return alerts(user).stream().filter(a -> type.equals(a.getString("alert_type"))).toList();
  }

  List<String> types(UUID user) {
    return alerts(user).stream().map(a -> a.getString("alert_type")).sorted().toList();
  }

  /** Waits until the user has an open alert of this type (judged in real time) and returns it. */
  JsonObject awaitAlert(UUID user, String type) {
    Await.until(
        WAIT,
        type + " alert for " + user,
        () -> alerts(user, type).stream().anyMatch(a -> "open".equals(a.getString("status"))));
    return alerts(user, type).stream()
        .filter(a -> "open".equals(a.getString("status")))
        .findFirst()
        .orElseThrow();
  }

  /**
   * A negative answer needs a point after which nothing more can happen: a DetectSharing run waits
   * for any judgement of a watching user already in flight on this node, and judges the user again
   * itself.
   */
  void assertNoAlerts(UUID user) {
    detect();
    assertEquals(List.of(), alerts(user), "alerts of " + user);
  }

  List<JsonObject> events(String address, String alertId) {
    return events.stream()
        .filter(
            e ->
                e.getString("address").equals(address)
                    && e.getJsonObject("alert").getString("id").equals(alertId))
        .map(e -> e.getJsonObject("alert"))
        .toList();
  }

  static List<JsonObject> items(JsonObject page) {
    JsonArray items = page.getJsonArray("items");
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) out.add(items.getJsonObject(i));
    return out;
  }

  static List<String> ids(List<JsonObject> sessions) {
    return sessions.stream().map(s -> s.getString("id")).sorted().collect(Collectors.toList());
  }

  static List<String> strings(JsonArray arr) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) out.add(arr.getString(i));
    return out.stream().sorted().toList();
  }
}
