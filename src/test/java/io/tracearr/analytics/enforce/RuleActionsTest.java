package io.tracearr.analytics.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.AuditLog;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, rule actions: the sustain window (violation persists → terminated; clears →
 * skipped_condition_cleared), the cooldown (skipped_cooldown), the rules API's bad input, and the
 * audit entries of rule changes, dismissals and key changes.
 */
class RuleActionsTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600)))
              .put("enforcement", new JsonObject().put("poll_ms", 200)));

  static final TestNode node = nodes.node();

  static final String RULE = "/api/v1/analytics/rules/concurrent_streams";
  static final String SESSIONS = "/api/v1/analytics/sessions";

  private static void setAction(int delaySeconds, int cooldownMinutes) {
    setAction(delaySeconds, cooldownMinutes, null);
  }

  private static void setAction(int delaySeconds, int cooldownMinutes, Integer trustBelow) {
    HttpResponse<Buffer> r =
        node.put(
            RULE,
            TestNode.ADMIN_KEY,
            new JsonObject()
                .put("enabled", true)
                .put("thresholds", new JsonObject().put("max_streams", 1))
                .put(
                    "action",
                    new JsonObject()
                        .put("type", "terminate")
                        .put("target", "newest")
                        .put("delay_seconds", delaySeconds)
                        .put("cooldown_minutes", cooldownMinutes)
                        .put("message", "Too many screens")
                        .put("only_if_trust_below", trustBelow)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static String start(UUID user, String device) {
    HttpResponse<Buffer> r =
        node.post(SESSIONS, TestNode.INGEST_KEY, SessionBodies.start(user, device, "90.80.10.5"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static List<JsonObject> alerts(UUID user) {
    JsonArray items =
        node.get("/api/v1/analytics/sharing/alerts?user_id=" + user, TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    return items.stream().map(o -> (JsonObject) o).toList();
  }

  /** The first finished action of the user's newest alert, or null. */
  private static JsonObject finishedAction(UUID user, String alertId) {
    for (JsonObject a : alerts(user)) {
      if (alertId != null && !alertId.equals(a.getString("id"))) continue;
      for (Object o : a.getJsonArray("actions", new JsonArray())) {
        JsonObject action = (JsonObject) o;
        if (action.getString("outcome") != null) return action;
      }
    }
    return null;
  }

  private static String endedReason(String id) {
    return node.get(SESSIONS + "/" + id, TestNode.ADMIN_KEY)
        .bodyAsJsonObject()
        .getString("ended_reason");
  }

  private static List<JsonObject> audit(String action) {
    return AuditLog.entries(node, action);
  }

  @Test
  void aViolationThatPersistsThroughTheDelayIsTerminated() {
    setAction(2, 0);
    UUID user = UUID.randomUUID();
    String first = start(user, "tv");
    String second = start(user, "phone");
    Await.until(
        Duration.ofSeconds(20), "the action done", () -> finishedAction(user, null) != null);
    JsonObject action = finishedAction(user, null);
    assertEquals("terminated", action.getString("outcome"), action.encode());
    assertEquals(List.of(second), action.getJsonArray("session_ids").getList());
    // the sustain window was kept: due two seconds after the intent was stored
    assertEquals(
        2,
        Duration.between(
                Instant.parse(action.getString("created_at")),
                Instant.parse(action.getString("due_at")))
            .toSeconds());
    assertTrue(
        !Instant.parse(action.getString("done_at"))
            .isBefore(Instant.parse(action.getString("due_at"))));
    assertEquals("terminated", endedReason(second));
    assertEquals(null, endedReason(first));
    assertEquals(
        1,
        node.count("SELECT count(*) FROM enforcement_actions WHERE user_id = '" + user + "'"),
        "one action per alert");
  }

  @Test
  void anIntentLostWithItsNodeIsStoredByTheCatchUp() {
    setAction(60, 0);
    UUID user = UUID.randomUUID();
    start(user, "tv");
    start(user, "phone");
    String intent =
        "SELECT count(*) FROM enforcement_actions WHERE outcome IS NULL AND user_id = '"
            + user
            + "'";
    Await.until(Duration.ofSeconds(20), "the intent stored", () -> node.count(intent) == 1);
    String stored =
        intent
            + " AND due_at = (SELECT created_at FROM sharing_alerts WHERE user_id = '"
            + user
            + "') + interval '60 seconds'";
    // as if the node had died after committing the alert, before storing what to do about it
    node.sql("DELETE FROM enforcement_actions WHERE user_id = '" + user + "'");
    Await.until(
        Duration.ofSeconds(30),
        "the catch-up stores it again, due as it was",
        () -> node.count(stored) == 1);
  }

  @Test
  void onlyIfTrustBelowActsOnLessTrustedUsersOnly() {
    // a new user's score is 100; this alert (medium) takes 10: 90 when the action is judged
    setAction(0, 0, 50);
    UUID trusted = UUID.randomUUID();
    start(trusted, "tv");
    String kept = start(trusted, "phone");
    Await.until(
        Duration.ofSeconds(20), "the action done", () -> finishedAction(trusted, null) != null);
    JsonObject skipped = finishedAction(trusted, null);
    assertEquals("skipped_trust", skipped.getString("outcome"), skipped.encode());
    assertEquals(null, endedReason(kept));

    setAction(0, 0, 95);
    UUID lessTrusted = UUID.randomUUID();
    start(lessTrusted, "tv");
    String stopped = start(lessTrusted, "phone");
    Await.until(
        Duration.ofSeconds(20), "the action done", () -> finishedAction(lessTrusted, null) != null);
    JsonObject acted = finishedAction(lessTrusted, null);
    assertEquals("terminated", acted.getString("outcome"), acted.encode());
    assertEquals("terminated", endedReason(stopped));
  }

  @Test
  void anActionClaimedByANodeThatDiedIsCarriedOutOnceItsClaimLapses() {
    setAction(30, 0);
    UUID user = UUID.randomUUID();
    start(user, "tv");
    String second = start(user, "phone");
    Await.until(
        Duration.ofSeconds(20),
        "the intent stored",
        () ->
            node.count("SELECT count(*) FROM enforcement_actions WHERE user_id = '" + user + "'")
                == 1);
    // as if another node had claimed it when due and died before acting: due now, its lease runs
    // two more seconds
    node.sql(
        "UPDATE enforcement_actions SET due_at = now(), claimed_by = 'node-that-died',"
            + " claimed_until = now() + interval '2 seconds' WHERE user_id = '"
            + user
            + "'");
    Await.until(
        Duration.ofSeconds(20), "the action done", () -> finishedAction(user, null) != null);
    JsonObject action = finishedAction(user, null);
    assertEquals("terminated", action.getString("outcome"), action.encode());
    assertEquals("terminated", endedReason(second));
    assertEquals(
        0,
        node.count(
            "SELECT count(*) FROM enforcement_actions WHERE user_id = '"
                + user
                + "' AND claimed_by = 'node-that-died'"),
        "taken over by the live node");
  }

  @Test
  void aViolationThatClearsDuringTheDelayIsSkipped() {
    setAction(3, 0);
    UUID user = UUID.randomUUID();
    String first = start(user, "tv");
    String second = start(user, "phone");
    Await.until(Duration.ofSeconds(20), "the alert", () -> alerts(user).size() == 1);
    Await.until(
        Duration.ofSeconds(10),
        "the intent stored",
        () ->
            node.count("SELECT count(*) FROM enforcement_actions WHERE user_id = '" + user + "'")
                == 1);
    HttpResponse<Buffer> ended = node.delete(SESSIONS + "/" + second, TestNode.INGEST_KEY, null);
    assertEquals(204, ended.statusCode(), ended.bodyAsString());

    Await.until(
        Duration.ofSeconds(20), "the action done", () -> finishedAction(user, null) != null);
    JsonObject action = finishedAction(user, null);
    assertEquals("skipped_condition_cleared", action.getString("outcome"), action.encode());
    assertEquals(null, endedReason(first));
    assertEquals("client", endedReason(second));
  }

  @Test
  void aSecondActionWithinTheCooldownIsSkipped() {
    setAction(0, 60);
    UUID user = UUID.randomUUID();
    start(user, "tv");
    String second = start(user, "phone");
    Await.until(
        Duration.ofSeconds(20), "the first action", () -> finishedAction(user, null) != null);
    JsonObject firstAlert = alerts(user).get(0);
    assertEquals(
        "terminated", finishedAction(user, firstAlert.getString("id")).getString("outcome"));
    assertEquals("terminated", endedReason(second));

    HttpResponse<Buffer> dismissed =
        node.post(
            "/api/v1/analytics/sharing/alerts/" + firstAlert.getString("id") + "/dismiss",
            TestNode.ADMIN_KEY,
            new JsonObject().put("reason", "handled"));
    assertEquals(200, dismissed.statusCode(), dismissed.bodyAsString());

    String third = start(user, "tablet");
    Await.until(Duration.ofSeconds(20), "a second alert", () -> alerts(user).size() == 2);
    String secondAlert =
        alerts(user).stream()
            .filter(a -> !a.getString("id").equals(firstAlert.getString("id")))
            .findFirst()
            .orElseThrow()
            .getString("id");
    Await.until(
        Duration.ofSeconds(20),
        "the second action",
        () -> finishedAction(user, secondAlert) != null);
    JsonObject action = finishedAction(user, secondAlert);
    assertEquals("skipped_cooldown", action.getString("outcome"), action.encode());
    assertEquals(null, endedReason(third));

    Await.until(
        Duration.ofSeconds(10),
        "the dismissal audited",
        () ->
            audit("dismissAlert").stream()
                .anyMatch(
                    e ->
                        e.getString("target").contains(firstAlert.getString("id"))
                            && "dismissed".equals(e.getJsonObject("after").getString("status"))));
  }

  @Test
  void badRuleInputIsRefusedNamingTheFieldAndChangesNothing() {
    JsonObject before = node.get(RULE, TestNode.ADMIN_KEY).bodyAsJsonObject();
    assertEquals(
        4,
        node.get("/api/v1/analytics/rules", TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .size());

    assertEquals(
        404, node.get("/api/v1/analytics/rules/no_such_rule", TestNode.ADMIN_KEY).statusCode());
    assertEquals(
        404,
        node.put(
                "/api/v1/analytics/rules/no_such_rule",
                TestNode.ADMIN_KEY,
                new JsonObject().put("enabled", false))
            .statusCode());
    assertField(
        new JsonObject().put("thresholds", new JsonObject().put("max_streams", -1)),
        "thresholds.max_streams");
    assertField(
        new JsonObject().put("thresholds", new JsonObject().put("max_streams", 1_000_000)),
        "thresholds.max_streams");
    assertField(
        new JsonObject().put("thresholds", new JsonObject().put("distance_km", 5)),
        "thresholds.distance_km");
    assertField(
        new JsonObject().put("action", new JsonObject().put("target", "everyone")),
        "action.target");
    assertField(new JsonObject().put("action", new JsonObject().put("type", "ban")), "action.type");
    assertField(
        new JsonObject().put("action", new JsonObject().put("delay_seconds", -5)),
        "action.delay_seconds");
    assertField(
        new JsonObject().put("action", new JsonObject().put("message", "m".repeat(201))),
        "action.message");
    assertField(new JsonObject().put("enabled", "yes"), "enabled");

    assertEquals(403, node.get(RULE, TestNode.VIEWER_KEY).statusCode());
    assertEquals(403, node.get("/api/v1/analytics/rules", TestNode.VIEWER_KEY).statusCode());
    assertEquals(
        403,
        node.put(RULE, TestNode.VIEWER_KEY, new JsonObject().put("enabled", false)).statusCode());
    assertEquals(
        403,
        node.put(RULE, TestNode.INGEST_KEY, new JsonObject().put("enabled", false)).statusCode());
    assertEquals(403, node.get("/api/v1/analytics/audit", TestNode.VIEWER_KEY).statusCode());
    assertEquals(before, node.get(RULE, TestNode.ADMIN_KEY).bodyAsJsonObject());

    Await.until(
        Duration.ofSeconds(10),
        "the refusals audited",
        () ->
            audit("updateRule").stream()
                        .filter(e -> "forbidden".equals(e.getString("result")))
                        .count()
                    >= 2
                && audit("listAudit").stream()
                    .anyMatch(e -> "forbidden".equals(e.getString("result"))));
  }

  @Test
  void exemptionsThresholdsAndTrustedDevicesAreAudited() {
    UUID user = UUID.randomUUID();
    String session = start(user, "den-tv");
    String deviceKey =
        node.get(SESSIONS + "/" + session, TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getString("device_key");
    String users = "/api/v1/analytics/users/" + user;
    HttpResponse<Buffer> rules =
        node.put(
            users + "/rules",
            TestNode.ADMIN_KEY,
            new JsonObject()
                .put("exempt", new JsonArray().add("geo_impossible"))
                .put("thresholds", new JsonObject().put("concurrent_streams", 5)));
    assertEquals(200, rules.statusCode(), rules.bodyAsString());
    HttpResponse<Buffer> trusted =
        node.post(
            users + "/trusted-devices",
            TestNode.ADMIN_KEY,
            new JsonObject().put("device_key", deviceKey).put("label", "Den TV"));
    assertEquals(201, trusted.statusCode(), trusted.bodyAsString());
    HttpResponse<Buffer> untrusted =
        node.delete(
            users
                + "/trusted-devices/"
                + java.net.URLEncoder.encode(deviceKey, java.nio.charset.StandardCharsets.UTF_8),
            TestNode.ADMIN_KEY,
            null);
    assertEquals(204, untrusted.statusCode(), untrusted.bodyAsString());

    Await.until(
        Duration.ofSeconds(10),
        "the three changes audited with the actor and the user",
        () ->
            audit("putUserRules").stream()
                    .anyMatch(
                        e ->
                            "ok".equals(e.getString("result"))
                                && e.getString("actor").startsWith("api-key:admin")
                                && String.valueOf(e.getString("target")).contains(user.toString()))
                && audit("trustDevice").stream()
                    .anyMatch(e -> String.valueOf(e.getString("target")).contains(user.toString()))
                && audit("untrustDevice").stream()
                    .anyMatch(
                        e -> String.valueOf(e.getString("target")).contains(user.toString())));
  }

  @Test
  void ruleChangesAndKeyChangesAreAuditedWithTheActor() {
    JsonObject before = node.get(RULE, TestNode.ADMIN_KEY).bodyAsJsonObject();
    HttpResponse<Buffer> changed =
        node.put(
            RULE,
            TestNode.ADMIN_KEY,
            new JsonObject().put("thresholds", new JsonObject().put("max_streams", 7)));
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    assertEquals(
        7, changed.bodyAsJsonObject().getJsonObject("thresholds").getInteger("max_streams"));
    assertEquals(
        7,
        node.get(RULE, TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonObject("thresholds")
            .getInteger("max_streams"));

    HttpResponse<Buffer> key =
        node.post(
            "/api/v1/analytics/keys",
            TestNode.ADMIN_KEY,
            new JsonObject().put("name", "audited-key").put("role", "viewer"));
    assertEquals(201, key.statusCode(), key.bodyAsString());
    String keyId = key.bodyAsJsonObject().getString("id");
    assertEquals(
        204, node.delete("/api/v1/analytics/keys/" + keyId, TestNode.ADMIN_KEY, null).statusCode());

    Await.until(
        Duration.ofSeconds(10),
        "the rule change and the key changes audited",
        () ->
            audit("updateRule").stream()
                    .anyMatch(
                        e ->
                            "ok".equals(e.getString("result"))
                                && e.getJsonObject("after") != null
                                && e.getJsonObject("after")
                                        .getJsonObject("thresholds")
                                        .getInteger("max_streams")
                                    == 7
                                && before
                                    .getJsonObject("thresholds")
                                    .equals(e.getJsonObject("before").getJsonObject("thresholds"))
                                && e.getString("actor").startsWith("api-key:admin"))
                && audit("createApiKey").stream().anyMatch(e -> "ok".equals(e.getString("result")))
                && audit("revokeApiKey").stream()
                    .anyMatch(e -> e.getString("target").endsWith(keyId)));

    // keyset paging: one entry per page, no repeats
    JsonObject page1 =
        node.get("/api/v1/analytics/audit?limit=1", TestNode.ADMIN_KEY).bodyAsJsonObject();
    String cursor = page1.getString("next_cursor");
    assertNotNull(cursor);
    JsonObject page2 =
        node.get("/api/v1/analytics/audit?limit=1&before=" + cursor, TestNode.ADMIN_KEY)
            .bodyAsJsonObject();
    assertTrue(
        !page1
            .getJsonArray("items")
            .getJsonObject(0)
            .getString("id")
            .equals(page2.getJsonArray("items").getJsonObject(0).getString("id")));
    // append-only: the contract has no route that changes or deletes an entry
    assertEquals(
        405, node.delete("/api/v1/analytics/audit", TestNode.ADMIN_KEY, null).statusCode());
  }

  private static void assertField(JsonObject body, String field) {
    HttpResponse<Buffer> r = node.put(RULE, TestNode.ADMIN_KEY, body);
    assertEquals(400, r.statusCode(), body.encode() + " → " + r.bodyAsString());
    assertTrue(
        r.bodyAsString().contains("\"" + field + "\""), field + " not named: " + r.bodyAsString());
  }
}
