package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.FR_CENTROID;
import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static io.tracearr.analytics.detect.SharingFixture.LONDON;
import static io.tracearr.analytics.detect.SharingFixture.PARIS;
import static io.tracearr.analytics.detect.SharingFixture.SYRACUSE;
import static io.tracearr.analytics.detect.SharingFixture.startBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The four sharing rules judged in real time on a real node (HTTP, PostgreSQL, the GeoIP fixture),
 * and what an operator sees of them: alerts with evidence, dedup, dismissal. Every case uses its
 * own user.
 */
class SharingDetectionTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(SharingFixture.withGeoIp(new JsonObject().put("sweep_seconds", 3600)));

  static final TestNode node = nodes.node();
  static SharingFixture fx;

  @BeforeAll
  static void prepare() {
    // the periodic sweep runs once at boot, then not during the tests: alerts here come from
    // real-time judgement
    fx = new SharingFixture(node);
  }

  /**
   * One row of the rule table: what happens to a fresh user, and the alert types that must follow.
   * A case expecting none leaves a session open, so the closing DetectSharing run judges the user
   * (see {@link SharingFixture#assertNoAlerts}).
   */
  record Case(String name, BiConsumer<SharingFixture, UUID> play, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case raises(String name, List<String> expected, BiConsumer<SharingFixture, UUID> play) {
    return new Case(name, play, expected);
  }

  static Case none(String name, BiConsumer<SharingFixture, UUID> play) {
    return new Case(name, play, List.of());
  }

  static Instant minutesAgo(long minutes) {
    return Instant.now().minus(Duration.ofMinutes(minutes));
  }

  static Stream<Case> ruleTable() {
    List<Case> cases =
        new ArrayList<>(
            List.of(
                raises(
                    "4 devices streaming at once -> concurrent_streams",
                    List.of("concurrent_streams"),
                    (f, u) ->
                        f.startAll(
                            List.of(
                                startBody(u, "d1", LAN, null),
                                startBody(u, "d2", LAN, null),
                                startBody(u, "d3", LAN, null),
                                startBody(u, "d4", LAN, null)))),
                none(
                    "6 sessions on 2 devices -> none",
                    (f, u) -> {
                      for (int i = 0; i < 3; i++) {
                        f.start(u, "d1", LAN);
                        f.start(u, "d2", LAN);
                      }
                    }),
                none(
                    "back-to-back episodes on one device (previous not ended yet) + 2 more devices -> none",
                    (f, u) -> {
                      for (int i = 0; i < 4; i++) f.start(u, "tv", LAN);
                      f.start(u, "phone", LAN);
                      f.start(u, "tablet", LAN);
                    }),
                none(
                    "quality restart on one device counts once: 3 devices, one restarted -> none",
                    (f, u) -> {
                      f.start(u, "d1", LAN);
                      f.start(u, "d1", LAN);
                      f.start(u, "d2", LAN);
                      f.start(u, "d3", LAN);
                    }),
                none(
                    "ended sessions are not counted: 2 ended + 3 active devices -> none",
                    (f, u) -> {
                      f.end(f.start(u, "old1", LAN));
                      f.end(f.start(u, "old2", LAN));
                      f.start(u, "d3", LAN);
                      f.start(u, "d4", LAN);
                      f.start(u, "d5", LAN);
                    }),
                raises(
                    "Paris + Syracuse at once on different devices -> geo_impossible only (one situation, one alert)",
                    List.of("geo_impossible"),
                    (f, u) -> {
                      f.start(u, "laptop", PARIS);
                      f.start(u, "tv", SYRACUSE);
                    }),
                none(
                    "same device switching IP (VPN) Paris -> Syracuse, restart and heartbeat -> none",
                    (f, u) -> {
                      JsonObject first = f.start(u, "laptop", PARIS);
                      f.start(u, "laptop", SYRACUSE);
                      f.heartbeat(first, new JsonObject().put("ip_address", SYRACUSE));
                      Await.until(
                          SharingFixture.WAIT,
                          "heartbeat IP written",
                          () ->
                              SYRACUSE.equals(
                                  f.session(first.getString("id")).getString("ip_address")));
                    }),
                none(
                    "FR country centroid (500 km radius) + precise Paris -> none",
                    (f, u) -> {
                      f.start(u, "laptop", FR_CENTROID);
                      f.start(u, "tv", PARIS);
                    }),
                raises(
                    "Paris, ended, then Syracuse 70 min later (~4987 km/h) -> impossible_travel",
                    List.of("impossible_travel"),
                    (f, u) -> {
                      f.endAt(f.start(u, "laptop", PARIS, minutesAgo(70)), minutesAgo(70));
                      f.start(u, "tv", SYRACUSE);
                    }),
                none(
                    "Paris, ended, then London 67 min later (~299 km/h) -> none",
                    (f, u) -> {
                      f.endAt(f.start(u, "laptop", PARIS, minutesAgo(67)), minutesAgo(67));
                      f.start(u, "tv", LONDON);
                    }),
                none(
                    "same device Paris then Syracuse 70 min later -> none",
                    (f, u) -> {
                      f.end(f.start(u, "laptop", PARIS, minutesAgo(70)));
                      f.start(u, "laptop", SYRACUSE);
                    }),
                raises(
                    "a 3 h film in Paris, then Syracuse 70 min after it ended -> impossible_travel",
                    List.of("impossible_travel"),
                    (f, u) -> {
                      f.endAt(f.start(u, "laptop", PARIS, minutesAgo(250)), minutesAgo(70));
                      f.start(u, "tv", SYRACUSE);
                    }),
                none(
                    "Paris 300 to 200 min ago, then London now (~100 km/h from its end) -> none",
                    (f, u) -> {
                      f.endAt(f.start(u, "laptop", PARIS, minutesAgo(300)), minutesAgo(200));
                      f.start(u, "tv", LONDON);
                    }),
                raises(
                    "6 new devices within 24 h -> device_spike",
                    List.of("device_spike"),
                    (f, u) -> {
                      for (int i = 1; i <= 6; i++) f.end(f.start(u, "new" + i, LAN));
                    }),
                none(
                    "5 new devices within 24 h -> none",
                    (f, u) -> {
                      for (int i = 1; i <= 4; i++) f.end(f.start(u, "new" + i, LAN));
                      f.start(u, "new5", LAN);
                    }),
                none(
                    "3 devices first seen 2 days ago + 5 new, 8 used today -> none",
                    (f, u) -> {
                      for (int i = 1; i <= 3; i++) {
                        f.node.sql(
                            "INSERT INTO user_devices (user_id, device_key, first_seen_at, last_seen_at) VALUES ('"
                                + u
                                + "', 'old"
                                + i
                                + "', now() - interval '2 days', now() - interval '2 days')");
                      }
                      for (int i = 1; i <= 3; i++) f.end(f.start(u, "old" + i, LAN));
                      for (int i = 1; i <= 4; i++) f.end(f.start(u, "new" + i, LAN));
                      f.start(u, "new5", LAN);
                    })));
    // never located, so never far from anything: each with a remote session on another device
    for (String ip :
        List.of(
            "10.1.2.3",
            "172.16.0.5",
            "192.168.1.10",
            "100.64.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "fd12:3456::1",
            "fe80::1",
            "::1",
            "::ffff:192.168.1.20",
            "::ffff:100.64.0.1")) {
      cases.add(
          none(
              ip + " + Syracuse on different devices -> none",
              (f, u) -> {
                JsonObject local = f.start(u, "laptop", ip);
                assertNull(local.getValue("location"), "location of " + ip);
                f.start(u, "tv", SYRACUSE);
              }));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ruleTable")
  void judgesEachCaseInRealTime(Case c) {
    UUID user = UUID.randomUUID();
    c.play().accept(fx, user);
    if (c.expected().isEmpty()) {
      fx.assertNoAlerts(user);
      return;
    }
    for (String type : c.expected()) fx.awaitAlert(user, type);
    fx.detect();
    assertEquals(c.expected(), fx.types(user), "alert types after a full sweep");
  }

  // ---- evidence
  // --------------------------------------------------------------------------------------------

  @Test
  void concurrentStreamsAlertCarriesItsEvidenceAndIsRaisedOnce() {
    UUID user = UUID.randomUUID();
    List<JsonObject> sessions =
        fx.startAll(
            List.of(
                startBody(user, "d1", LAN, null),
                startBody(user, "d2", LAN, null),
                startBody(user, "d3", "10.0.0.3", null),
                startBody(user, "d4", "10.0.0.4", null)));
    JsonObject alert = fx.awaitAlert(user, "concurrent_streams");
    JsonObject evidence = alert.getJsonObject("evidence");
    assertEquals(4, evidence.getInteger("count"));
    assertEquals(3, evidence.getInteger("threshold"));
    assertEquals(
        SharingFixture.ids(sessions), SharingFixture.strings(evidence.getJsonArray("session_ids")));
    assertEquals(
        List.of("d1", "d2", "d3", "d4"), SharingFixture.strings(evidence.getJsonArray("devices")));
    assertEquals("medium", alert.getString("severity"));
    assertAlertShape(alert, user);
    var byId = node.get(SharingFixture.ALERTS + "/" + alert.getString("id"), TestNode.VIEWER_KEY);
    assertEquals(200, byId.statusCode());
    assertEquals(alert, byId.bodyAsJsonObject());
    Await.until(
        SharingFixture.WAIT,
        "alert.raised event",
        () -> fx.events(Addresses.ALERT_RAISED, alert.getString("id")).size() == 1);
    // the event is the detector's alert; the REST answer adds the enforcement concern's actions
    JsonObject withoutActions = alert.copy();
    withoutActions.remove("actions");
    assertEquals(withoutActions, fx.events(Addresses.ALERT_RAISED, alert.getString("id")).get(0));
  }

  @Test
  void geoImpossibleEvidenceNamesPlacesIpsAndDistanceMinusRadii() {
    UUID user = UUID.randomUUID();
    JsonObject paris = fx.start(user, "laptop", PARIS);
    JsonObject syracuse = fx.start(user, "tv", SYRACUSE);
    JsonObject alert = fx.awaitAlert(user, "geo_impossible");
    JsonObject e = alert.getJsonObject("evidence");
    assertEquals(5818.5, e.getDouble("distance_km"), 1.0, e.encode());
    assertEquals(5828.5, e.getDouble("raw_distance_km"), 1.0, e.encode());
    assertEquals(500.0, e.getDouble("threshold_km"));
    assertEquals(
        List.of(paris.getString("id"), syracuse.getString("id")),
        e.getJsonArray("session_ids").getList());
    assertEquals(List.of(PARIS, SYRACUSE), e.getJsonArray("ip_addresses").getList());
    JsonArray places = e.getJsonArray("locations");
    assertEquals("Paris", places.getJsonObject(0).getString("city"));
    assertEquals("FR", places.getJsonObject(0).getString("country"));
    assertEquals(5, places.getJsonObject(0).getInteger("accuracy_km"));
    assertEquals(48.8566, places.getJsonObject(0).getDouble("latitude"), 1e-6);
    assertEquals("Syracuse", places.getJsonObject(1).getString("city"));
    assertEquals(-76.1474, places.getJsonObject(1).getDouble("longitude"), 1e-6);
    assertEquals("high", alert.getString("severity"), "more than 2000 km");
  }

  @Test
  void impossibleTravelEvidenceNamesSpeedDistanceAndHours() {
    UUID user = UUID.randomUUID();
    // a 3 h film ended 70 min ago: travel time runs from its end, not its start
    JsonObject paris = fx.start(user, "laptop", PARIS, minutesAgo(250));
    Instant parisEnded = minutesAgo(70).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    fx.endAt(paris, parisEnded);
    JsonObject syracuse = fx.start(user, "tv", SYRACUSE);
    JsonObject e = fx.awaitAlert(user, "impossible_travel").getJsonObject("evidence");
    double hours =
        Duration.between(parisEnded, Instant.parse(syracuse.getString("started_at"))).toMillis()
            / 3_600_000.0;
    assertEquals(parisEnded.toString(), e.getString("left_at"));
    assertEquals(hours, e.getDouble("hours"), 0.001);
    assertEquals(5818.5, e.getDouble("distance_km"), 1.0);
    assertEquals(5818.5 / hours, e.getDouble("speed_kmh"), 2.0);
    assertTrue(e.getDouble("speed_kmh") > 4900 && e.getDouble("speed_kmh") < 5000, e.encode());
    assertEquals(900.0, e.getDouble("threshold_kmh"));
    assertEquals(
        List.of(paris.getString("id"), syracuse.getString("id")),
        e.getJsonArray("session_ids").getList());
    assertEquals("Paris", e.getJsonArray("locations").getJsonObject(0).getString("city"));
    assertEquals(List.of(PARIS, SYRACUSE), e.getJsonArray("ip_addresses").getList());
  }

  @Test
  void deviceSpikeEvidenceListsTheNewDevices() {
    UUID user = UUID.randomUUID();
    for (int i = 1; i <= 6; i++) fx.end(fx.start(user, "new" + i, LAN));
    JsonObject e = fx.awaitAlert(user, "device_spike").getJsonObject("evidence");
    assertEquals(6, e.getInteger("count"));
    assertEquals(5, e.getInteger("threshold"));
    assertEquals(24, e.getInteger("window_hours"));
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      JsonObject d = e.getJsonArray("new_devices").getJsonObject(i);
      keys.add(d.getString("device_key"));
      assertNotNull(Instant.parse(d.getString("first_seen_at")));
    }
    assertEquals(
        List.of("new1", "new2", "new3", "new4", "new5", "new6"), keys.stream().sorted().toList());
  }

  // ---- geolocation of sessions
  // -------------------------------------------------------------------------------

  @Test
  void sessionsAreLocatedAtStartAndRelocatedWhenAHeartbeatChangesTheIp() {
    UUID user = UUID.randomUUID();
    JsonObject s = fx.start(user, "laptop", PARIS);
    JsonObject location = s.getJsonObject("location");
    assertEquals(
        new JsonObject()
            .put("city", "Paris")
            .put("country", "FR")
            .put("latitude", 48.8566)
            .put("longitude", 2.3522)
            .put("accuracy_km", 5),
        location);
    fx.heartbeat(s, new JsonObject().put("ip_address", SYRACUSE));
    Await.until(
        SharingFixture.WAIT,
        "relocated to Syracuse",
        () -> {
          JsonObject l = fx.session(s.getString("id")).getJsonObject("location");
          return l != null && "Syracuse".equals(l.getString("city"));
        });
    fx.heartbeat(s, new JsonObject().put("ip_address", "100.64.7.7"));
    Await.until(
        SharingFixture.WAIT,
        "CGNAT address clears the location",
        () -> fx.session(s.getString("id")).getValue("location") == null);
    assertNull(
        fx.start(user, "laptop", "8.8.8.8").getValue("location"),
        "an address the database does not know");
  }

  @Test
  void aHeartbeatThatMovesASessionFarAwayRaisesGeoImpossible() {
    UUID user = UUID.randomUUID();
    JsonObject laptop = fx.start(user, "laptop", PARIS);
    fx.start(user, "tv", PARIS);
    fx.detect();
    assertEquals(List.of(), fx.alerts(user));
    fx.heartbeat(laptop, new JsonObject().put("ip_address", SYRACUSE));
    JsonObject alert = fx.awaitAlert(user, "geo_impossible");
    assertEquals(5818.5, alert.getJsonObject("evidence").getDouble("distance_km"), 1.0);
  }

  @Test
  void readinessShowsGeoIpEnabled() {
    var ready = node.get("/health/ready", null);
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("enabled", ready.bodyAsJsonObject().getJsonObject("checks").getString("geoip"));
  }

  // ---- dedup
  // -------------------------------------------------------------------------------------------------

  @Test
  void theSameSessionsJudgedAgainChangeNothing() {
    UUID user = UUID.randomUUID();
    List<JsonObject> sessions =
        fx.startAll(
            List.of(
                startBody(user, "d1", LAN, null),
                startBody(user, "d2", LAN, null),
                startBody(user, "d3", LAN, null),
                startBody(user, "d4", LAN, null)));
    JsonObject alert = fx.awaitAlert(user, "concurrent_streams");
    fx.detect();
    fx.detect();
    // an IP change is judged again in real time
    fx.heartbeat(sessions.get(0), new JsonObject().put("ip_address", "192.168.1.99"));
    Await.until(
        SharingFixture.WAIT,
        "heartbeat IP written",
        () ->
            "192.168.1.99"
                .equals(fx.session(sessions.get(0).getString("id")).getString("ip_address")));
    fx.detect();
    List<JsonObject> after = fx.alerts(user);
    assertEquals(1, after.size());
    assertEquals(alert, after.get(0), "occurrences, evidence and updated_at unchanged");
    assertEquals(1, after.get(0).getInteger("occurrences"));
    assertEquals(1, fx.events(Addresses.ALERT_RAISED, alert.getString("id")).size());
    assertEquals(0, fx.events(Addresses.ALERT_UPDATED, alert.getString("id")).size());
  }

  @Test
  void theSameViolationAgainUpdatesTheOpenAlert() {
    UUID user = UUID.randomUUID();
    List<JsonObject> first =
        fx.startAll(
            List.of(
                startBody(user, "d1", LAN, null),
                startBody(user, "d2", LAN, null),
                startBody(user, "d3", LAN, null),
                startBody(user, "d4", LAN, null)));
    JsonObject alert = fx.awaitAlert(user, "concurrent_streams");
    first.forEach(fx::end);
    List<JsonObject> second = new ArrayList<>();
    for (String d : List.of("d1", "d2", "d3", "d4")) second.add(fx.start(user, d, LAN));
    Await.until(
        SharingFixture.WAIT,
        "second occurrence",
        () -> fx.alerts(user).get(0).getInteger("occurrences") == 2);
    List<JsonObject> after = fx.alerts(user);
    assertEquals(1, after.size(), "still one alert");
    JsonObject updated = after.get(0);
    assertEquals(alert.getString("id"), updated.getString("id"));
    assertEquals("open", updated.getString("status"));
    assertEquals(
        SharingFixture.ids(second),
        SharingFixture.strings(updated.getJsonObject("evidence").getJsonArray("session_ids")));
    assertTrue(
        Instant.parse(updated.getString("updated_at"))
            .isAfter(Instant.parse(updated.getString("created_at"))));
    assertEquals(alert.getString("created_at"), updated.getString("created_at"));
    Await.until(
        SharingFixture.WAIT,
        "alert.updated event",
        () -> fx.events(Addresses.ALERT_UPDATED, alert.getString("id")).size() == 1);
    assertEquals(1, fx.events(Addresses.ALERT_RAISED, alert.getString("id")).size());
    fx.detect();
    assertEquals(
        2,
        fx.alerts(user).get(0).getInteger("occurrences"),
        "re-judging the second violation changes nothing");
  }

  @Test
  void aFurtherDeviceWhileOpenUpdatesTheAlertWithTheNewCount() {
    UUID user = UUID.randomUUID();
    fx.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null)));
    fx.awaitAlert(user, "concurrent_streams");
    fx.start(user, "d5", LAN);
    fx.start(user, "d6", LAN);
    Await.until(
        SharingFixture.WAIT,
        "count 6",
        () ->
            fx.alerts(user, "concurrent_streams")
                    .get(0)
                    .getJsonObject("evidence")
                    .getInteger("count")
                == 6);
    JsonObject alert = fx.alerts(user, "concurrent_streams").get(0);
    assertEquals(1, fx.alerts(user, "concurrent_streams").size());
    assertEquals("high", alert.getString("severity"), "2x the threshold");
    assertTrue(alert.getInteger("occurrences") >= 2);
  }

  // ---- dismissal
  // ---------------------------------------------------------------------------------------------

  @Test
  void dismissedSessionsStayQuietAndANewSessionRaisesANewAlert() {
    UUID user = UUID.randomUUID();
    fx.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null)));
    JsonObject alert = fx.awaitAlert(user, "concurrent_streams");
    String path = SharingFixture.ALERTS + "/" + alert.getString("id") + "/dismiss";

    var dismissed =
        node.post(path, TestNode.ADMIN_KEY, new JsonObject().put("reason", "family plan, known"));
    assertEquals(200, dismissed.statusCode(), dismissed.bodyAsString());
    JsonObject d = dismissed.bodyAsJsonObject();
    assertEquals("dismissed", d.getString("status"));
    assertEquals("api-key:admin", d.getString("dismissed_by"));
    assertEquals("family plan, known", d.getString("dismiss_reason"));
    assertNotNull(Instant.parse(d.getString("dismissed_at")));

    var again = node.post(path, TestNode.ADMIN_KEY, null);
    assertEquals(200, again.statusCode(), "idempotent");
    assertEquals(d, again.bodyAsJsonObject(), "a repeat changes nothing");
    Await.until(
        SharingFixture.WAIT,
        "alert.dismissed event",
        () -> fx.events(Addresses.ALERT_DISMISSED, alert.getString("id")).size() == 1);

    fx.detect();
    assertEquals(List.of(d), fx.alerts(user), "the same sessions raise nothing");

    JsonObject fifth = fx.start(user, "d5", LAN);
    JsonObject fresh = fx.awaitAlert(user, "concurrent_streams");
    assertTrue(!fresh.getString("id").equals(alert.getString("id")));
    assertTrue(
        fresh
            .getJsonObject("evidence")
            .getJsonArray("session_ids")
            .contains(fifth.getString("id")));
    assertEquals(1, fresh.getInteger("occurrences"));
    assertEquals(2, fx.alerts(user).size());
    assertEquals(
        1,
        fx.events(Addresses.ALERT_DISMISSED, alert.getString("id")).size(),
        "no event for the repeat");
  }

  @Test
  void dismissingNeedsAdminAKnownIdAndAStringReason() {
    UUID user = UUID.randomUUID();
    fx.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null)));
    String path =
        SharingFixture.ALERTS
            + "/"
            + fx.awaitAlert(user, "concurrent_streams").getString("id")
            + "/dismiss";
    assertEquals(403, node.post(path, TestNode.VIEWER_KEY, null).statusCode());
    assertEquals(
        403,
        node.post(path, node.jwt(user.toString(), List.of("user"), Duration.ofMinutes(5)), null)
            .statusCode());
    var unknown =
        node.post(
            SharingFixture.ALERTS + "/" + UUID.randomUUID() + "/dismiss", TestNode.ADMIN_KEY, null);
    assertEquals(404, unknown.statusCode());
    assertEquals("application/problem+json", unknown.getHeader("Content-Type"));
    var badReason = node.post(path, TestNode.ADMIN_KEY, new JsonObject().put("reason", 5));
    assertEquals(400, badReason.statusCode());
    assertEquals(
        "reason",
        badReason.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"));
    var tooLong =
        node.post(path, TestNode.ADMIN_KEY, new JsonObject().put("reason", "x".repeat(501)));
    assertEquals(400, tooLong.statusCode());
    assertEquals(
        "reason",
        tooLong.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"));
    assertEquals("open", fx.alerts(user).get(0).getString("status"), "nothing was dismissed");
  }

  // ---- listing and access
  // --------------------------------------------------------------------------------------

  @Test
  void alertsArePagedNewestFirstAndFiltered() {
    UUID user = UUID.randomUUID();
    fx.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null)));
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String id = fx.awaitAlert(user, "concurrent_streams").getString("id");
      created.add(id);
      assertEquals(
          200,
          node.post(SharingFixture.ALERTS + "/" + id + "/dismiss", TestNode.ADMIN_KEY, null)
              .statusCode());
      // a new session on a known device: a new alert, and no new device towards a spike
      fx.start(user, "d1", LAN);
    }
    created.add(fx.awaitAlert(user, "concurrent_streams").getString("id"));

    String base = SharingFixture.ALERTS + "?user_id=" + user;
    JsonObject page1 = node.get(base + "&limit=2", TestNode.VIEWER_KEY).bodyAsJsonObject();
    assertEquals(
        List.of(created.get(2), created.get(1)),
        SharingFixture.items(page1).stream().map(a -> a.getString("id")).toList());
    String cursor = page1.getString("next_cursor");
    assertNotNull(cursor);
    JsonObject page2 =
        node.get(base + "&limit=2&before=" + cursor, TestNode.VIEWER_KEY).bodyAsJsonObject();
    assertEquals(
        List.of(created.get(0)),
        SharingFixture.items(page2).stream().map(a -> a.getString("id")).toList());
    assertNull(page2.getValue("next_cursor"));

    assertEquals(
        1,
        SharingFixture.items(
                node.get(base + "&status=open", TestNode.VIEWER_KEY).bodyAsJsonObject())
            .size());
    assertEquals(
        2,
        SharingFixture.items(
                node.get(base + "&status=dismissed", TestNode.VIEWER_KEY).bodyAsJsonObject())
            .size());
    assertEquals(
        3,
        SharingFixture.items(
                node.get(base + "&type=concurrent_streams", TestNode.ADMIN_KEY).bodyAsJsonObject())
            .size());
    assertEquals(
        0,
        SharingFixture.items(
                node.get(base + "&type=device_spike", TestNode.VIEWER_KEY).bodyAsJsonObject())
            .size());
  }

  @Test
  void aUserTokenSeesOnlyItsOwnAlerts() {
    UUID me = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    for (UUID u : List.of(me, other)) {
      fx.startAll(
          List.of(
              startBody(u, "d1", LAN, null),
              startBody(u, "d2", LAN, null),
              startBody(u, "d3", LAN, null),
              startBody(u, "d4", LAN, null)));
    }
    JsonObject mine = fx.awaitAlert(me, "concurrent_streams");
    JsonObject theirs = fx.awaitAlert(other, "concurrent_streams");
    String token = node.jwt(me.toString(), List.of("user"), Duration.ofMinutes(5));

    var list = node.get(SharingFixture.ALERTS, token);
    assertEquals(200, list.statusCode(), list.bodyAsString());
    List<JsonObject> seen = SharingFixture.items(list.bodyAsJsonObject());
    assertEquals(List.of(mine), seen, "only its own, without asking for a user_id");
    assertEquals(
        List.of(mine),
        SharingFixture.items(
            node.get(SharingFixture.ALERTS + "?user_id=" + me, token).bodyAsJsonObject()));
    assertEquals(403, node.get(SharingFixture.ALERTS + "?user_id=" + other, token).statusCode());
    assertEquals(
        200, node.get(SharingFixture.ALERTS + "/" + mine.getString("id"), token).statusCode());
    assertEquals(
        403, node.get(SharingFixture.ALERTS + "/" + theirs.getString("id"), token).statusCode());
    assertEquals(403, node.post(SharingFixture.DETECT, token, null).statusCode());
    assertEquals(403, node.post(SharingFixture.DETECT, TestNode.VIEWER_KEY, null).statusCode());
    assertEquals(
        403,
        node.get(SharingFixture.ALERTS, TestNode.INGEST_KEY).statusCode(),
        "ingest reads no alerts");
    assertEquals(401, node.get(SharingFixture.ALERTS, null).statusCode());
    assertEquals(
        200,
        node.get(SharingFixture.ALERTS + "?user_id=" + other, TestNode.VIEWER_KEY).statusCode());
    assertEquals(
        404,
        node.get(SharingFixture.ALERTS + "/" + UUID.randomUUID(), TestNode.VIEWER_KEY)
            .statusCode());
  }

  record BadParam(String path, String field) {
    @Override
    public String toString() {
      return path + " -> 400 naming " + field;
    }
  }

  static Stream<BadParam> badParams() {
    String a = SharingFixture.ALERTS;
    return Stream.of(
        new BadParam(a + "?user_id=not-a-uuid", "user_id"),
        new BadParam(a + "?status=closed", "status"),
        new BadParam(a + "?type=password_sharing", "type"),
        new BadParam(a + "?limit=0", "limit"),
        new BadParam(a + "?limit=501", "limit"),
        new BadParam(a + "?limit=ten", "limit"),
        new BadParam(a + "?before=not-a-cursor", "before"),
        new BadParam(a + "/not-a-uuid", "id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badParams")
  void badParametersAreA400NamingTheParameter(BadParam bad) {
    var r = node.get(bad.path(), TestNode.VIEWER_KEY);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals(
        bad.field(),
        r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"),
        r.bodyAsString());
  }

  @Test
  void dismissWithABadIdIsA400NamingTheId() {
    var r = node.post(SharingFixture.ALERTS + "/nope/dismiss", TestNode.ADMIN_KEY, null);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals(
        "id", r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"));
  }

  @Test
  void metricsCountAlertsLookupsAndDetectionTime() {
    UUID user = UUID.randomUUID();
    fx.start(user, "laptop", PARIS);
    fx.start(user, "tv", SYRACUSE);
    fx.awaitAlert(user, "geo_impossible");
    Await.until(
        SharingFixture.WAIT,
        "open alerts gauge",
        () -> {
          String m = node.get("/metrics", null).bodyAsString();
          return m.contains(
                  "analytics_alerts_raised_total{severity=\"high\",type=\"geo_impossible\"}")
              && m.contains("analytics_geoip_lookups_total{result=\"located\"}")
              && m.contains("analytics_geoip_lookups_total{result=\"never_located\"}")
              && m.contains("analytics_detection_duration_seconds_count")
              && !m.contains("analytics_alerts_open 0.0");
        });
  }

  static void assertAlertShape(JsonObject alert, UUID user) {
    assertEquals(
        List.of(
            "id",
            "user_id",
            "alert_type",
            "severity",
            "evidence",
            "status",
            "created_at",
            "updated_at",
            "occurrences",
            "dismissed_at",
            "dismissed_by",
            "dismiss_reason",
            "actions"),
        new ArrayList<>(alert.fieldNames()));
    assertEquals(user.toString(), alert.getString("user_id"));
    assertEquals("open", alert.getString("status"));
    assertEquals(1, alert.getInteger("occurrences"));
    assertTrue(alert.getString("created_at").endsWith("Z"), alert.getString("created_at"));
    assertEquals(alert.getString("created_at"), alert.getString("updated_at"));
    assertNull(alert.getValue("dismissed_at"));
    assertNull(alert.getValue("dismissed_by"));
    assertNull(alert.getValue("dismiss_reason"));
  }
}
