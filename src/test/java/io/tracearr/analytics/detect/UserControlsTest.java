package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static io.tracearr.analytics.detect.SharingFixture.PARIS;
import static io.tracearr.analytics.detect.SharingFixture.SYRACUSE;
import static io.tracearr.analytics.detect.SharingFixture.startBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, per-user controls through the API on a real node: exemptions, per-user thresholds,
 * trusted devices and the trust score (a fall, a rise by dismissal, the daily recovery run for a
 * chosen day), and bad input that changes nothing.
 */
class UserControlsTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(SharingFixture.withGeoIp(new JsonObject().put("sweep_seconds", 3600)));

  static final TestNode node = nodes.node();
  static SharingFixture fx;
  static final Queue<JsonObject> newDevices = new ConcurrentLinkedQueue<>();

  static final String USERS = "/api/v1/analytics/users/";

  @BeforeAll
  static void prepare() {
    fx = new SharingFixture(node);
    TestNode.await(
        node.app()
            .vertx()
            .eventBus()
            .<JsonObject>consumer(Addresses.DEVICE_NEW, m -> newDevices.add(m.body()))
            .completion());
  }

  static HttpResponse<Buffer> putRules(UUID user, JsonObject rules) {
    return node.put(USERS + user + "/rules", TestNode.ADMIN_KEY, rules);
  }

  static void putRulesOk(UUID user, JsonObject rules) {
    HttpResponse<Buffer> r = putRules(user, rules);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static JsonObject getRules(UUID user) {
    HttpResponse<Buffer> r = node.get(USERS + user + "/rules", TestNode.ADMIN_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static void trust(UUID user, String device) {
    HttpResponse<Buffer> r =
        node.post(
            USERS + user + "/trusted-devices",
            TestNode.ADMIN_KEY,
            new JsonObject().put("device_key", device).put("label", "the living-room TV"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  static int trustScore(UUID user) {
    HttpResponse<Buffer> r = node.get(USERS + user, TestNode.VIEWER_KEY);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getInteger("trust_score");
  }

  static void fourDevices(UUID user) {
    fx.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null)));
  }

  // ---- exemptions

  @Test
  void anExemptUserIsNotJudgedByThatRuleAndIsAgainOnceTheExemptionIsLifted() {
    UUID user = UUID.randomUUID();
    fx.start(user, "d0", LAN);
    putRulesOk(user, new JsonObject().put("exempt", new JsonArray().add("concurrent_streams")));
    assertEquals(List.of("concurrent_streams"), getRules(user).getJsonArray("exempt").getList());
    fourDevices(user);
    fx.assertNoAlerts(user);

    // lifted: every detector dropped its cached copy, the next judgement raises the alert
    putRulesOk(user, new JsonObject());
    fx.detect();
    assertEquals(List.of("concurrent_streams"), fx.types(user));
  }

  @Test
  void anExemptionThatHasEndedNoLongerApplies() {
    UUID user = UUID.randomUUID();
    fx.start(user, "d0", LAN);
    putRulesOk(
        user,
        new JsonObject()
            .put("exempt", new JsonArray().add("concurrent_streams"))
            .put("exempt_until", Instant.now().minus(1, ChronoUnit.MINUTES).toString()));
    fourDevices(user);
    fx.awaitAlert(user, "concurrent_streams");
  }

  // ---- per-user thresholds

  @Test
  void aPerUserThresholdReplacesTheGlobalOne() {
    UUID household = UUID.randomUUID();
    fx.start(household, "d0", LAN);
    putRulesOk(
        household,
        new JsonObject().put("thresholds", new JsonObject().put("concurrent_streams", 5)));
    JsonObject rules = getRules(household);
    assertEquals(5, rules.getJsonObject("thresholds").getInteger("concurrent_streams"));
    assertEquals(3, rules.getJsonObject("global_thresholds").getInteger("concurrent_streams"));
    fourDevices(household); // 5 devices: fine for this household, 3 is the global limit
    fx.assertNoAlerts(household);
    fx.start(household, "d5", LAN); // the sixth
    JsonObject alert = fx.awaitAlert(household, "concurrent_streams");
    assertEquals(5, alert.getJsonObject("evidence").getInteger("threshold"));

    // and lower than the global one: 2 new devices are too many for this user
    UUID strict = UUID.randomUUID();
    fx.start(strict, "n0", LAN);
    putRulesOk(strict, new JsonObject().put("thresholds", new JsonObject().put("device_spike", 2)));
    fx.end(fx.start(strict, "n1", LAN));
    fx.start(strict, "n2", LAN);
    assertEquals(
        2, fx.awaitAlert(strict, "device_spike").getJsonObject("evidence").getInteger("threshold"));
  }

  /**
   * The panel's "global" beside a user's own threshold is the rule's current one: a change made
   * through /rules shows there (it showed the config file's value).
   */
  @Test
  void theGlobalThresholdsBesideAUsersAreTheRulesCurrentOnes() {
    UUID user = UUID.randomUUID();
    fx.start(user, "g0", LAN);
    String rule = "/api/v1/analytics/rules/concurrent_streams";
    HttpResponse<Buffer> changed =
        node.put(
            rule,
            TestNode.ADMIN_KEY,
            new JsonObject().put("thresholds", new JsonObject().put("max_streams", 7)));
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    try {
      assertEquals(
          7, getRules(user).getJsonObject("global_thresholds").getInteger("concurrent_streams"));
      HttpResponse<Buffer> put =
          putRules(
              user,
              new JsonObject().put("thresholds", new JsonObject().put("concurrent_streams", 5)));
      assertEquals(200, put.statusCode(), put.bodyAsString());
      JsonObject answer = put.bodyAsJsonObject();
      assertEquals(5, answer.getJsonObject("thresholds").getInteger("concurrent_streams"));
      assertEquals(7, answer.getJsonObject("global_thresholds").getInteger("concurrent_streams"));
    } finally {
      // the other cases judge with the config's 3
      HttpResponse<Buffer> back =
          node.put(
              rule,
              TestNode.ADMIN_KEY,
              new JsonObject().put("thresholds", new JsonObject().put("max_streams", 3)));
      assertEquals(200, back.statusCode(), back.bodyAsString());
    }
  }

  // ---- trusted devices

  @Test
  void aTrustedDeviceFormsNoGeoPairIsNeverNewButStillCountsAsAStream() {
    UUID user = UUID.randomUUID();
    fx.start(user, "laptop", PARIS);
    trust(user, "tv");
    putRulesOk(
        user,
        new JsonObject()
            .put(
                "thresholds",
                new JsonObject().put("device_spike", 1).put("concurrent_streams", 2)));
    fx.start(user, "tv", SYRACUSE); // far away at the same time, but trusted; its first sighting
    fx.detect();
    assertEquals(List.of(), fx.alerts(user), "no geo pair, and 'tv' is not a second new device");
    assertFalse(
        newDevices.stream()
            .anyMatch(
                s ->
                    s.getString("user_id").equals(user.toString())
                        && "tv".equals(s.getString("device_key"))),
        "no device.new for a trusted device");
    assertTrue(
        newDevices.stream()
            .anyMatch(
                s ->
                    s.getString("user_id").equals(user.toString())
                        && "laptop".equals(s.getString("device_key"))));

    fx.start(
        user, "phone", SYRACUSE); // a third stream: the trusted TV counts toward the limit of 2
    JsonObject alert = fx.awaitAlert(user, "concurrent_streams");
    assertEquals(3, alert.getJsonObject("evidence").getInteger("count"));
    // phone (Syracuse) + laptop (Paris) is a real geo pair
    fx.awaitAlert(user, "geo_impossible");

    JsonObject tv =
        node.items(USERS + user + "/trusted-devices", TestNode.ADMIN_KEY).getJsonObject(0);
    assertEquals("tv", tv.getString("device_key"));
    assertEquals("the living-room TV", tv.getString("label"));
    assertTrue(tv.getString("created_by").contains("admin"), tv.encode());

    HttpResponse<Buffer> again =
        node.post(
            USERS + user + "/trusted-devices",
            TestNode.ADMIN_KEY,
            new JsonObject().put("device_key", "tv"));
    assertEquals(200, again.statusCode(), "already trusted: unchanged");

    assertEquals(
        204,
        node.delete(USERS + user + "/trusted-devices/tv", TestNode.ADMIN_KEY, null).statusCode());
    assertEquals(
        404,
        node.delete(USERS + user + "/trusted-devices/tv", TestNode.ADMIN_KEY, null).statusCode());
    assertEquals(
        0,
        node.get(USERS + user + "/trusted-devices", TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .size());
  }

  // ---- trust score

  @Test
  void theTrustScoreFallsWithAlertsRisesWithDismissalsAndRecoversDaily() {
    UUID user = UUID.randomUUID();
    fx.start(user, "laptop", PARIS);
    assertEquals(100, trustScore(user));

    fx.start(user, "tv", SYRACUSE); // geo_impossible, high (> 2000 km): -20
    JsonObject geo = fx.awaitAlert(user, "geo_impossible");
    assertEquals("high", geo.getString("severity"));
    assertEquals(80, geo.getJsonObject("evidence").getInteger("trust_score"));
    assertEquals(80, trustScore(user));

    fx.start(user, "phone", LAN);
    fx.start(user, "tablet", LAN); // 4 devices > 3: concurrent_streams, medium: -10
    JsonObject concurrent = fx.awaitAlert(user, "concurrent_streams");
    assertEquals("medium", concurrent.getString("severity"));
    Await.until(SharingFixture.WAIT, "trust 70", () -> trustScore(user) == 70);

    // least trusted first
    HttpResponse<Buffer> list =
        node.get("/api/v1/analytics/users?sort=trust&limit=500", TestNode.VIEWER_KEY);
    assertEquals(200, list.statusCode(), list.bodyAsString());
    List<JsonObject> people = SharingFixture.items(list.bodyAsJsonObject());
    List<Integer> scores = people.stream().map(p -> p.getInteger("trust_score")).toList();
    assertEquals(scores.stream().sorted().toList(), scores, "ascending trust");
    assertTrue(
        people.stream()
            .anyMatch(
                p ->
                    p.getString("id").equals(user.toString())
                        && p.getInteger("trust_score") == 70));
    HttpResponse<Buffer> firstPage =
        node.get("/api/v1/analytics/users?sort=trust&limit=1", TestNode.VIEWER_KEY);
    assertEquals(
        scores.get(0),
        SharingFixture.items(firstPage.bodyAsJsonObject()).get(0).getInteger("trust_score"));
    String next = firstPage.bodyAsJsonObject().getString("next_cursor");
    if (people.size() > 1) {
      HttpResponse<Buffer> second =
          node.get(
              "/api/v1/analytics/users?sort=trust&limit=1&before=" + next, TestNode.VIEWER_KEY);
      assertEquals(
          people.get(1).getString("id"),
          SharingFixture.items(second.bodyAsJsonObject()).get(0).getString("id"));
    }

    // dismissing gives the penalty back
    HttpResponse<Buffer> d =
        node.post(fx.ALERTS + "/" + geo.getString("id") + "/dismiss", TestNode.ADMIN_KEY, null);
    assertEquals(200, d.statusCode(), d.bodyAsString());
    assertEquals(90, trustScore(user));

    // recovery: each whole day after the last alert gives 1 back, exactly once per day
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    recover(today); // the day of the alert itself is not a day without one
    assertEquals(90, trustScore(user));
    recover(today.plusDays(3));
    assertEquals(93, trustScore(user));
    recover(today.plusDays(3));
    assertEquals(93, trustScore(user), "the same day again changes nothing");
    recover(today.plusDays(4));
    assertEquals(94, trustScore(user));
    recover(today.plusDays(40));
    assertEquals(100, trustScore(user), "never above 100");
  }

  static void recover(LocalDate through) {
    TestNode.await(
        node.app()
            .vertx()
            .eventBus()
            .<JsonObject>request(
                Addresses.TRUST_RECOVER, new JsonObject().put("through", through.toString())));
  }

  // ---- bad input, roles

  record Bad(String name, JsonObject body, String field) {
    @Override
    public String toString() {
      return name + " -> 400 naming " + field;
    }
  }

  static Stream<Bad> badRules() {
    return Stream.of(
        new Bad(
            "unknown rule exempted",
            new JsonObject().put("exempt", new JsonArray().add("password_sharing")),
            "exempt"),
        new Bad("negative threshold", thresholds("concurrent_streams", -1), "concurrent_streams"),
        new Bad("absurd threshold", thresholds("device_spike", 1_000_000), "device_spike"),
        new Bad(
            "fractional device count", thresholds("concurrent_streams", 2.5), "concurrent_streams"),
        new Bad("unknown rule threshold", thresholds("password_sharing", 3), "password_sharing"),
        new Bad("zero speed", thresholds("impossible_travel", 0), "impossible_travel"),
        new Bad("bad until", new JsonObject().put("exempt_until", "next tuesday"), "exempt_until"),
        new Bad("unknown field", new JsonObject().put("exempted", new JsonArray()), "exempted"));
  }

  static JsonObject thresholds(String rule, Object value) {
    return new JsonObject().put("thresholds", new JsonObject().put(rule, value));
  }

  static UUID badInputUser;

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRules")
  void badRulesAreA400NamingTheFieldAndChangeNothing(Bad bad) {
    if (badInputUser == null) {
      badInputUser = UUID.randomUUID();
      fx.start(badInputUser, "d0", LAN);
      putRulesOk(
          badInputUser,
          new JsonObject().put("thresholds", new JsonObject().put("device_spike", 7)));
    }
    JsonObject before = getRules(badInputUser);
    HttpResponse<Buffer> r = putRules(badInputUser, bad.body());
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    String field = r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field");
    assertTrue(
        field.contains(bad.field()), field + " names " + bad.field() + ": " + r.bodyAsString());
    assertEquals(before, getRules(badInputUser), "nothing changed");
  }

  @Test
  void anUnknownUserIs404AndANonAdminIs403OnEveryRoute() {
    UUID nobody = UUID.randomUUID();
    assertEquals(404, putRules(nobody, new JsonObject()).statusCode());
    assertEquals(404, node.get(USERS + nobody + "/rules", TestNode.ADMIN_KEY).statusCode());
    assertEquals(
        404, node.get(USERS + nobody + "/trusted-devices", TestNode.ADMIN_KEY).statusCode());
    assertEquals(
        404,
        node.post(
                USERS + nobody + "/trusted-devices",
                TestNode.ADMIN_KEY,
                new JsonObject().put("device_key", "tv"))
            .statusCode());
    assertEquals(
        0, node.count("SELECT count(*) FROM user_rule_overrides WHERE user_id = '" + nobody + "'"));
    assertEquals(
        0, node.count("SELECT count(*) FROM trusted_devices WHERE user_id = '" + nobody + "'"));

    UUID user = UUID.randomUUID();
    fx.start(user, "d0", LAN);
    for (String key : List.of(TestNode.VIEWER_KEY, TestNode.INGEST_KEY)) {
      assertEquals(403, node.get(USERS + user + "/rules", key).statusCode());
      assertEquals(403, node.put(USERS + user + "/rules", key, new JsonObject()).statusCode());
      assertEquals(403, node.get(USERS + user + "/trusted-devices", key).statusCode());
      assertEquals(
          403,
          node.post(
                  USERS + user + "/trusted-devices", key, new JsonObject().put("device_key", "tv"))
              .statusCode());
      assertEquals(403, node.delete(USERS + user + "/trusted-devices/tv", key, null).statusCode());
    }
    assertEquals(
        0, node.count("SELECT count(*) FROM trusted_devices WHERE user_id = '" + user + "'"));
  }
}
