package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static io.tracearr.analytics.detect.SharingFixture.startBody;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes, each with its own detector, on one database: racing judgements never duplicate an
 * alert.
 */
class SharingDetectionRaceTest {

  // one sweep at boot (claimed by one node), none during the tests: the races below are the tests'
  // own
  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.standaloneOnOneDatabase(
          2, SharingFixture.withGeoIp(new JsonObject().put("sweep_seconds", 86_400)));

  static final TestNode a = nodes.node(0);
  static final TestNode b = nodes.node(1);
  static SharingFixture fa;
  static SharingFixture fb;

  @BeforeAll
  static void prepare() {
    fa = new SharingFixture(a);
    fb = new SharingFixture(b);
    Await.until(
        Duration.ofSeconds(20),
        "the boot sweep finished",
        () ->
            a.count(
                    "SELECT count(*) FROM job_runs WHERE job = 'detect-sweep' AND finished_at IS NOT NULL")
                >= 1);
  }

  @Test
  void detectRunsRacingOnTwoNodesRaiseEachAlertExactlyOnce() {
    List<UUID> users = new ArrayList<>();
    for (int i = 0; i < 40; i++) users.add(UUID.randomUUID());
    // written behind the registries' backs, so no real-time judgement runs: only the racing sweeps
    // judge them
    for (UUID u : users) {
      a.sql(
          """
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
            ip_address, status, started_at, last_heartbeat_at)
          SELECT gen_random_uuid(), '%s', 'movie', gen_random_uuid(), 'Plex Web', 'd' || i, 'd' || i,
            ('192.168.1.' || i)::inet, 'playing', now(), now()
          FROM generate_series(1, 4) AS i"""
              .formatted(u));
    }
    List<Future<HttpResponse<Buffer>>> runs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      for (TestNode n : List.of(a, b)) {
        runs.add(
            n.client()
                .post(SharingFixture.DETECT)
                .putHeader("Authorization", "Bearer " + TestNode.ADMIN_KEY)
                .send());
      }
    }
    TestNode.await(Future.all(runs));
    List<JsonObject> reported = new ArrayList<>();
    for (var r : runs) {
      assertEquals(200, r.result().statusCode(), r.result().bodyAsString());
      reported.addAll(SharingFixture.items(r.result().bodyAsJsonObject()));
    }
    Set<String> ourUsers = users.stream().map(UUID::toString).collect(Collectors.toSet());
    List<JsonObject> ours =
        reported.stream().filter(x -> ourUsers.contains(x.getString("user_id"))).toList();
    assertEquals(
        40, ours.size(), "each user's alert reported raised by exactly one of the six runs");
    assertEquals(
        ourUsers, ours.stream().map(x -> x.getString("user_id")).collect(Collectors.toSet()));
    for (UUID u : users) {
      List<JsonObject> alerts = fa.alerts(u);
      assertEquals(1, alerts.size(), "alerts of " + u);
      assertEquals("concurrent_streams", alerts.get(0).getString("alert_type"));
      assertEquals(1, alerts.get(0).getInteger("occurrences"));
      assertEquals(alerts, fb.alerts(u), "both nodes read the same alert");
    }
  }

  @Test
  void startsThroughTwoNodesAtOnceRaiseOneAlert() {
    List<UUID> users = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      UUID u = UUID.randomUUID();
      users.add(u);
      // two devices through each node, all four requests in flight together
      Future<HttpResponse<Buffer>> s1 = post(a, startBody(u, "d1", LAN, null));
      Future<HttpResponse<Buffer>> s2 = post(b, startBody(u, "d2", LAN, null));
      Future<HttpResponse<Buffer>> s3 = post(a, startBody(u, "d3", LAN, null));
      Future<HttpResponse<Buffer>> s4 = post(b, startBody(u, "d4", LAN, null));
      TestNode.await(Future.all(s1, s2, s3, s4));
      for (var s : List.of(s1, s2, s3, s4))
        assertEquals(201, s.result().statusCode(), s.result().bodyAsString());
    }
    Set<String> raisedIds = new HashSet<>();
    for (UUID u : users) raisedIds.add(fa.awaitAlert(u, "concurrent_streams").getString("id"));
    fa.detect();
    fb.detect();
    for (UUID u : users) {
      List<JsonObject> alerts = fb.alerts(u);
      assertEquals(1, alerts.size(), "alerts of " + u);
      assertEquals(1, alerts.get(0).getInteger("occurrences"));
      assertEquals(4, alerts.get(0).getJsonObject("evidence").getInteger("count"));
    }
    assertEquals(10, raisedIds.size());
  }

  private static Future<HttpResponse<Buffer>> post(TestNode n, JsonObject body) {
    return n.client()
        .post(SharingFixture.SESSIONS)
        .putHeader("Authorization", "Bearer " + TestNode.INGEST_KEY)
        .sendJsonObject(body);
  }
}
