package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.tracearr.analytics.testing.AlertFixtures;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import jakarta.mail.internet.MimeMessage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Notifications through the real service: sessions in over HTTP, the detector raises an alert, the
 * notifier writes its outbox in PostgreSQL and delivers to real receivers (Vert.x servers in this
 * test, GreenMail for SMTP). Every test removes its channels afterwards, so each sees only its own
 * deliveries.
 */
class NotificationDeliveryTest {

  static final String CHANNELS = "/api/v1/analytics/notifications/channels";
  static final String DELIVERIES = "/api/v1/analytics/notifications/deliveries";
  static final String SESSIONS = "/api/v1/analytics/sessions";
  static final String SECRET = "webhook-secret-0123456789";
  static final String DASHBOARD = "https://tracearr.example.com/dashboard";
  static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600)))
              .put(
                  "notifications",
                  new JsonObject()
                      .put("max_attempts", 3)
                      .put("sweep_seconds", 1)
                      .put("dashboard_url", DASHBOARD)));

  static final TestNode node = nodes.node();

  @RegisterExtension
  static final GreenMailExtension smtp =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(false);

  @AfterEach
  void removeChannels() {
    JsonArray items = node.items(CHANNELS, TestNode.ADMIN_KEY);
    for (Object o : items) {
      JsonObject c = (JsonObject) o;
      if ("api".equals(c.getString("source")))
        node.delete(CHANNELS + "/" + c.getString("id"), TestNode.ADMIN_KEY, null);
    }
  }

  // ---- each type
  // -------------------------------------------------------------------------------------------

  @Test
  void eachTypeSendsWhatItsServiceExpectsForAnAlertRaisedByRealSessions() throws Exception {
    RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      String webhook =
          createChannel(
              new JsonObject()
                  .put("name", "hook")
                  .put("type", "webhook")
                  .put("url", receiver.url("/hook"))
                  .put("secret", SECRET));
      createChannel(
          new JsonObject()
              .put("name", "discord")
              .put("type", "discord")
              .put("url", receiver.url("/discord/api/webhooks/123/tok")));
      createChannel(
          new JsonObject()
              .put("name", "slack")
              .put("type", "slack")
              .put("url", receiver.url("/slack/services/T1/B1/x")));
      createChannel(
          new JsonObject()
              .put("name", "ntfy")
              .put("type", "ntfy")
              .put("server_url", receiver.url("/ntfy"))
              .put("topic", "tracearr-alerts")
              .put("token", "tk_ntfy_token"));
      createChannel(
          new JsonObject()
              .put("name", "gotify")
              .put("type", "gotify")
              .put("server_url", receiver.url("/gotify"))
              .put("app_token", "gotify-app-token"));
      createChannel(
          new JsonObject()
              .put("name", "telegram")
              .put("type", "telegram")
              .put("bot_token", "123456:ABC-def")
              .put("chat_id", "-1001234")
              .put("api_base_url", receiver.url("/tg")));
      createChannel(
          new JsonObject()
              .put("name", "pushover")
              .put("type", "pushover")
              .put("user_key", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG")
              .put("app_token", "azGDORePK8gMaC0QOYAMyEEuzJnyUi")
              .put("api_base_url", receiver.url("/po")));
      createChannel(
          new JsonObject()
              .put("name", "mail")
              .put("type", "email")
              .put("smtp_host", "127.0.0.1")
              .put("smtp_port", smtp.getSmtp().getPort())
              .put("starttls", "disabled")
              .put("from", "tracearr@example.com")
              .put("to", new JsonArray().add("ops@example.com")));

      UUID user = UUID.randomUUID();
      String alertId = raiseConcurrentStreams(user);
      List<RecordingReceiver.Recorded> requests = TestNode.await(receiver.awaitRequests(7));
      assertTrue(smtp.waitForIncomingEmail(WAIT.toMillis(), 1), "the e-mail arrives");
      Map<String, RecordingReceiver.Recorded> byPath = new HashMap<>();
      requests.forEach(r -> byPath.put(r.path(), r));

      // webhook: our JSON, signed; verified here with javax.crypto, not with the service's own code
      RecordingReceiver.Recorded hook = byPath.get("/hook");
      assertEquals("POST", hook.method());
      assertEquals("application/json", hook.header("Content-Type"));
      assertEquals("alert.raised", hook.header("X-Analytics-Event"));
      String ts = hook.header("X-Analytics-Timestamp");
      assertTrue(
          Math.abs(Instant.now().getEpochSecond() - Long.parseLong(ts)) < 120,
          "a fresh unix timestamp");
      assertTrue(
          hmacMatches(SECRET, ts, hook.bodyBytes(), hook.header("X-Analytics-Signature")),
          "the signature verifies");
      assertFalse(
          hmacMatches(
              "another-secret-0123456789",
              ts,
              hook.bodyBytes(),
              hook.header("X-Analytics-Signature")));
      JsonObject body = hook.bodyAsJson();
      assertEquals(
          List.of("event", "delivery_id", "occurred_at", "data"), List.copyOf(body.fieldNames()));
      assertEquals("alert.raised", body.getString("event"));
      assertEquals(hook.header("X-Analytics-Delivery"), body.getString("delivery_id"));
      JsonObject alertAsRest =
          node.get("/api/v1/analytics/sharing/alerts/" + alertId, TestNode.ADMIN_KEY)
              .bodyAsJsonObject();
      assertEquals(alertId, body.getJsonObject("data").getString("id"));
      assertEquals(
          alertAsRest.getString("alert_type"), body.getJsonObject("data").getString("alert_type"));
      assertEquals(
          alertAsRest.getJsonObject("evidence"),
          body.getJsonObject("data").getJsonObject("evidence"));
      assertEquals(alertAsRest.getString("created_at"), body.getString("occurred_at"));
      assertEquals(
          1,
          node.count(
              "SELECT count(*) FROM notification_deliveries WHERE id = '"
                  + body.getString("delivery_id")
                  + "' AND channel_id = '"
                  + webhook
                  + "'"),
          "the delivery id is the outbox row's id");

      // Discord Execute Webhook: ?wait=true, content + one embed with title, colour, fields
      RecordingReceiver.Recorded discord = byPath.get("/discord/api/webhooks/123/tok");
      assertEquals("POST", discord.method());
      assertEquals("wait=true", discord.query());
      JsonObject embed = discord.bodyAsJson().getJsonArray("embeds").getJsonObject(0);
      assertTrue(embed.getString("title").contains("concurrent streams"), embed.encode());
      assertTrue(embed.getValue("color") instanceof Integer);
      assertFalse(embed.getJsonArray("fields").isEmpty());
      assertEquals(DASHBOARD, embed.getString("url"));
      assertEquals(
          new JsonArray(),
          discord.bodyAsJson().getJsonObject("allowed_mentions").getJsonArray("parse"));

      // Slack incoming webhook: text (the fallback) plus blocks
      JsonObject slack = byPath.get("/slack/services/T1/B1/x").bodyAsJson();
      assertTrue(slack.getString("text").contains("concurrent streams"));
      assertEquals("section", slack.getJsonArray("blocks").getJsonObject(0).getString("type"));

      // ntfy: POST <server>/<topic>, the message as the body, Title / Priority / Tags headers,
      // token as Bearer
      RecordingReceiver.Recorded ntfy = byPath.get("/ntfy/tracearr-alerts");
      assertEquals("POST", ntfy.method());
      assertTrue(ntfy.header("Title").contains("concurrent streams"));
      assertNotNull(ntfy.header("Priority"));
      assertEquals("warning", ntfy.header("Tags").split(",")[0]);
      assertEquals("Bearer tk_ntfy_token", ntfy.header("Authorization"));
      assertEquals(DASHBOARD, ntfy.header("Click"));
      assertTrue(ntfy.bodyAsString().contains("devices streaming at once"));

      // Gotify: POST /message with the app token, {title, message, priority}
      RecordingReceiver.Recorded gotify = byPath.get("/gotify/message");
      assertEquals("gotify-app-token", gotify.header("X-Gotify-Key"));
      JsonObject g = gotify.bodyAsJson();
      assertNotNull(g.getString("title"));
      assertNotNull(g.getString("message"));
      assertTrue(g.getValue("priority") instanceof Integer);

      // Telegram sendMessage: /bot<token>/sendMessage, {chat_id, text}
      JsonObject tg = byPath.get("/tg/bot123456:ABC-def/sendMessage").bodyAsJson();
      assertEquals(-1001234L, ((Number) tg.getValue("chat_id")).longValue());
      assertTrue(tg.getString("text").contains("Dashboard: " + DASHBOARD));

      // Pushover: form-encoded token, user, message, title
      RecordingReceiver.Recorded po = byPath.get("/po/1/messages.json");
      assertEquals("application/x-www-form-urlencoded", po.header("Content-Type"));
      Map<String, String> form = form(po.bodyAsString());
      assertEquals("azGDORePK8gMaC0QOYAMyEEuzJnyUi", form.get("token"));
      assertEquals("uQiRzpo4DXghDmr9QzzfQu27cmVRsG", form.get("user"));
      assertNotNull(form.get("message"));
      assertNotNull(form.get("title"));

      // e-mail through a real SMTP server
      MimeMessage mail = smtp.getReceivedMessages()[0];
      assertTrue(mail.getSubject().contains("concurrent streams"), mail.getSubject());
      assertEquals("ops@example.com", mail.getAllRecipients()[0].toString());
      assertNotNull(mail.getHeader("X-Analytics-Delivery"));

      Await.until(
          WAIT,
          "every delivery recorded as delivered",
          () ->
              node.count("SELECT count(*) FROM notification_deliveries WHERE status = 'delivered'")
                  == 8);
    } finally {
      TestNode.await(receiver.close());
    }
  }

  @Test
  void channelsNeverShowTheirSecrets() {
    String id =
        createChannel(
            new JsonObject()
                .put("name", "secretive")
                .put("type", "webhook")
                .put("url", "https://hooks.example.com/x")
                .put("secret", SECRET));
    for (HttpResponse<Buffer> r :
        List.of(
            node.get(CHANNELS + "/" + id, TestNode.ADMIN_KEY),
            node.get(CHANNELS, TestNode.ADMIN_KEY))) {
      assertEquals(200, r.statusCode());
      assertFalse(r.bodyAsString().contains(SECRET), r.bodyAsString());
      assertTrue(r.bodyAsString().contains("\"secret_set\":true"), r.bodyAsString());
    }
    // a PATCH without the secret keeps it; the channel still signs
    HttpResponse<Buffer> patched =
        node.send(
            io.vertx.core.http.HttpMethod.PATCH,
            CHANNELS + "/" + id,
            TestNode.ADMIN_KEY,
            new JsonObject().put("name", "secretive-2"));
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    assertEquals("secretive-2", patched.bodyAsJsonObject().getString("name"));
    assertTrue(patched.bodyAsJsonObject().getBoolean("secret_set"));
    assertEquals(403, node.get(CHANNELS, TestNode.VIEWER_KEY).statusCode());
  }

  // ---- retries
  // -----------------------------------------------------------------------------------------------

  @Test
  void receiverFailingTwiceThenOkGetsOneDeliveryInThreeAttemptsWithOneId() {
    RecordingReceiver receiver =
        TestNode.await(RecordingReceiver.start(node.clientVertx())).failTimes(2, 500);
    try {
      String channel = createChannel(webhook("flaky", receiver.url("/flaky")));
      raiseConcurrentStreams(UUID.randomUUID());
      List<RecordingReceiver.Recorded> three = TestNode.await(receiver.awaitRequests(3));
      assertEquals(
          1,
          three.stream().map(r -> r.header("X-Analytics-Delivery")).distinct().count(),
          "one delivery id");
      Await.until(
          WAIT,
          "the delivery is delivered",
          () ->
              node.count(
                      "SELECT count(*) FROM notification_deliveries WHERE channel_id = '"
                          + channel
                          + "' AND status = 'delivered' AND attempts = 3")
                  == 1);
      assertEquals(
          1,
          node.count(
              "SELECT count(*) FROM notification_deliveries WHERE channel_id = '" + channel + "'"));
      assertEquals(3, receiver.requests().size());
      String metrics = node.get("/metrics", null).bodyAsString();
      assertTrue(
          metrics.contains("analytics_notifications_sent_total{result=\"retry\",type=\"webhook\"}"),
          "retries counted");
      assertTrue(
          metrics.contains(
              "analytics_notifications_sent_total{result=\"delivered\",type=\"webhook\"}"),
          "deliveries counted");
      assertTrue(
          metrics.contains("analytics_notifications_delivery_latency_seconds_count"),
          "latency recorded");
      assertTrue(metrics.contains("analytics_notifications_pending"), "pending gauge");
    } finally {
      TestNode.await(receiver.close());
    }
  }

  @Test
  void aReceiverThatHangsHoldsAtMostFourSlotsAndTheOtherChannelKeepsReceiving() {
    RecordingReceiver hanging =
        TestNode.await(RecordingReceiver.start(node.clientVertx()))
            .otherwise(RecordingReceiver.Reply.hang());
    RecordingReceiver good = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      String stuck = createChannel(webhook("hangs", hanging.url("/hang")));
      createChannel(webhook("answers", good.url("/ok")));
      for (int i = 0; i < 8; i++) raiseConcurrentStreams(UUID.randomUUID());
      String inFlight =
          "SELECT count(*) FROM notification_deliveries WHERE status = 'delivering' AND channel_id = '"
              + stuck
              + "'";
      long[] most = {0};
      Await.until(
          WAIT,
          "the answering receiver has all 8 alerts",
          () -> {
            most[0] = Math.max(most[0], node.count(inFlight));
            return good.requests().size() >= 8;
          });
      most[0] = Math.max(most[0], node.count(inFlight));
      // notifications.max_in_flight_per_channel (4): the rest of the hanging channel's deliveries
      // wait their turn instead of taking the node's 32 slots
      assertTrue(most[0] <= 4, "at most 4 of the hanging channel in flight, saw " + most[0]);
      assertEquals(
          8,
          node.count(
              "SELECT count(*) FROM notification_deliveries WHERE channel_id = '"
                  + stuck
                  + "' AND status IN ('pending', 'delivering')"),
          "none of the hanging channel's deliveries is lost");
    } finally {
      TestNode.await(hanging.close());
      TestNode.await(good.close());
    }
  }

  /**
   * Delivery is the notifier's business: an alert reaches the dashboards while the only channel's
   * receiver holds every attempt open. Were the alert path to wait on a delivery, the frame could
   * come only once an attempt ended (the 10 s timeout), and an ended attempt counts in {@code
   * attempts}.
   */
  @Test
  void anAlertReachesTheDashboardWhileTheHangingReceiverHoldsItsDeliveries() {
    RecordingReceiver hanging =
        TestNode.await(RecordingReceiver.start(node.clientVertx()))
            .otherwise(RecordingReceiver.Reply.hang());
    try (LiveClient live =
        LiveClient.connect(node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      live.await("snapshot");
      String stuck = createChannel(webhook("hangs-live", hanging.url("/hang")));
      // 4 deliveries held open (max_in_flight_per_channel), the 5th waiting in the outbox
      for (int i = 0; i < 5; i++) raiseConcurrentStreams(UUID.randomUUID());
      Await.until(
          WAIT, "the hanging receiver holds 4 requests open", () -> hanging.requests().size() >= 4);

      UUID user = UUID.randomUUID();
      for (int i = 1; i <= 4; i++) startSession(user, "device-" + i);
      JsonObject frame =
          live.await("alert.raised", d -> user.toString().equals(d.getString("user_id")));
      assertEquals("concurrent_streams", frame.getJsonObject("data").getString("alert_type"));

      String ofStuck =
          "SELECT count(*) FROM notification_deliveries WHERE channel_id = '" + stuck + "'";
      assertEquals(
          0,
          node.count(ofStuck + " AND attempts > 0"),
          "the alert came before any attempt to the hanging receiver ended");
      Await.until(
          WAIT,
          "the new alert's delivery waits behind the held ones, none lost",
          () -> node.count(ofStuck + " AND status IN ('pending', 'delivering')") == 6);
    } finally {
      TestNode.await(hanging.close());
    }
  }

  @Test
  void receiverDownForTheWholeWindowEndsFailedAndARetryDeliversOnceItIsBack() {
    RecordingReceiver gone = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    int port = gone.port();
    TestNode.await(gone.close());
    String channel = createChannel(webhook("down", "http://127.0.0.1:" + port + "/down"));
    raiseConcurrentStreams(UUID.randomUUID());
    Await.until(
        WAIT,
        "the delivery fails after max_attempts",
        () ->
            node.count(
                    "SELECT count(*) FROM notification_deliveries WHERE channel_id = '"
                        + channel
                        + "' AND status = 'failed' AND attempts = 3")
                == 1);

    JsonObject failed =
        node
            .get(DELIVERIES + "?status=failed", TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .stream()
            .map(JsonObject.class::cast)
            .filter(d -> d.getString("channel_id").equals(channel))
            .findFirst()
            .orElseThrow();
    assertNotNull(failed.getString("last_error"));
    assertNull(failed.getInteger("last_status"), "nobody answered");

    RecordingReceiver back = TestNode.await(RecordingReceiver.start(node.clientVertx(), port));
    try {
      HttpResponse<Buffer> retried =
          node.post(DELIVERIES + "/" + failed.getString("id") + "/retry", TestNode.ADMIN_KEY, null);
      assertEquals(200, retried.statusCode(), retried.bodyAsString());
      List<RecordingReceiver.Recorded> got = TestNode.await(back.awaitRequests(1));
      assertEquals(failed.getString("id"), got.get(0).header("X-Analytics-Delivery"));
      Await.until(
          WAIT,
          "delivered after the retry",
          () ->
              node.count(
                      "SELECT count(*) FROM notification_deliveries WHERE id = '"
                          + failed.getString("id")
                          + "' AND status = 'delivered'")
                  == 1);
      assertEquals(
          409,
          node.post(DELIVERIES + "/" + failed.getString("id") + "/retry", TestNode.ADMIN_KEY, null)
              .statusCode(),
          "only a failed delivery is re-sent");
      assertEquals(
          404,
          node.post(DELIVERIES + "/" + UUID.randomUUID() + "/retry", TestNode.ADMIN_KEY, null)
              .statusCode());
    } finally {
      TestNode.await(back.close());
    }
  }

  // ---- durability
  // --------------------------------------------------------------------------------------------

  /**
   * The node "died" between the alert's commit and the outbox write: the row exists, no event was
   * published.
   */
  @Test
  void alertWrittenWithoutItsEventIsDeliveredByTheCatchUpSweep() {
    RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      createChannel(webhook("sweep", receiver.url("/sweep")));
      JsonObject alert = AlertFixtures.geoImpossible(UUID.randomUUID());
      node.sql(AlertFixtures.insertSql(alert));
      RecordingReceiver.Recorded got = TestNode.await(receiver.awaitRequests(1)).get(0);
      assertEquals(alert.getString("id"), got.bodyAsJson().getJsonObject("data").getString("id"));
      assertEquals("alert.raised", got.header("X-Analytics-Event"));
    } finally {
      TestNode.await(receiver.close());
    }
  }

  /**
   * A node claimed the delivery and died: its claim expires and the delivery goes out with the same
   * id.
   */
  @Test
  void deliveryClaimedByANodeThatDiedIsDeliveredAfterItsClaimExpires() {
    RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      String channel = createChannel(webhook("orphan", receiver.url("/orphan")));
      String id = UUID.randomUUID().toString();
      JsonObject payload =
          new JsonObject()
              .put("severity", "high")
              .put("what", "High geo impossible alert raised")
              .put("data", new JsonObject().put("id", UUID.randomUUID().toString()));
      node.sql(
          "INSERT INTO notification_deliveries (id, channel_id, event, event_key, payload, occurred_at, status, claimed_by, claimed_until) "
              + "VALUES ('"
              + id
              + "', '"
              + channel
              + "', 'alert.raised', 'orphan-1', '"
              + payload.encode()
              + "'::jsonb, now(), "
              + "'delivering', 'dead-node', now() - interval '1 second')");
      RecordingReceiver.Recorded got = TestNode.await(receiver.awaitRequests(1)).get(0);
      assertEquals(id, got.header("X-Analytics-Delivery"));
      Await.until(
          WAIT,
          "delivered",
          () ->
              node.count(
                      "SELECT count(*) FROM notification_deliveries WHERE id = '"
                          + id
                          + "' AND status = 'delivered' AND claimed_by IS NULL")
                  == 1);
    } finally {
      TestNode.await(receiver.close());
    }
  }

  // ---- quiet hours
  // -------------------------------------------------------------------------------------------

  @Test
  void quietHoursHoldDeliveriesAndAllowHighBreaksThroughForHighAlerts() {
    RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      String held =
          createChannel(
              webhook("quiet", receiver.url("/quiet")).put("quiet_hours", quietNow(false)));
      String allowHigh =
          createChannel(
              webhook("quiet-but-high", receiver.url("/high")).put("quiet_hours", quietNow(true)));
      JsonObject high = AlertFixtures.geoImpossible(UUID.randomUUID());
      node.sql(AlertFixtures.insertSql(high));
      RecordingReceiver.Recorded got = TestNode.await(receiver.awaitRequests(1)).get(0);
      assertEquals("/high", got.path(), "allow_high lets a high alert through");
      Await.until(
          WAIT,
          "the quiet channel's delivery is written and held",
          () ->
              node.count(
                      "SELECT count(*) FROM notification_deliveries WHERE channel_id = '"
                          + held
                          + "' AND status = 'pending' AND attempts = 0 "
                          + "AND next_attempt_at > now() + interval '30 minutes' AND last_error LIKE 'held for quiet hours%'")
                  == 1);

      JsonObject medium =
          AlertFixtures.alert(
              UUID.randomUUID(),
              "concurrent_streams",
              "medium",
              new JsonObject().put("count", 4).put("threshold", 3));
      node.sql(AlertFixtures.insertSql(medium));
      Await.until(
          WAIT,
          "a medium alert is held on the allow_high channel too",
          () ->
              node.count(
                      "SELECT count(*) FROM notification_deliveries WHERE channel_id = '"
                          + allowHigh
                          + "' AND status = 'pending' "
                          + "AND next_attempt_at > now() + interval '30 minutes'")
                  == 1);
      assertEquals(1, receiver.requests().size(), "nothing else was sent during quiet hours");
    } finally {
      TestNode.await(receiver.close());
    }
  }

  // ---- device.new, test messages
  // ---------------------------------------------------------------------------

  @Test
  void aSessionOnADeviceNeverSeenBeforeIsAnnouncedOnce() {
    RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      createChannel(
          webhook("devices", receiver.url("/devices"))
              .put("events", new JsonArray().add("device.new")));
      UUID user = UUID.randomUUID();
      startSession(user, "tv-1");
      RecordingReceiver.Recorded got = TestNode.await(receiver.awaitRequests(1)).get(0);
      assertEquals("device.new", got.header("X-Analytics-Event"));
      assertEquals(user.toString(), got.bodyAsJson().getJsonObject("data").getString("user_id"));
      startSession(user, "tv-1");
      startSession(user, "phone-2");
      TestNode.await(receiver.awaitRequests(2));
      Await.until(
          WAIT,
          "two devices, two deliveries",
          () ->
              node.count(
                      "SELECT count(*) FROM notification_deliveries WHERE event = 'device.new' AND event_key LIKE 'device:"
                          + user
                          + ":%'")
                  == 2);
    } finally {
      TestNode.await(receiver.close());
    }
  }

  @Test
  void testMessageAnswersWithWhatTheReceiverSaid() {
    RecordingReceiver receiver =
        TestNode.await(RecordingReceiver.start(node.clientVertx()))
            .script(RecordingReceiver.Reply.status(418, "short and stout", Map.of()));
    try {
      String id = createChannel(webhook("teapot", receiver.url("/teapot")));
      JsonObject answer =
          node.post(CHANNELS + "/" + id + "/test", TestNode.ADMIN_KEY, null).bodyAsJsonObject();
      assertEquals(false, answer.getBoolean("delivered"));
      assertEquals(418, answer.getInteger("status"));
      assertEquals("short and stout", answer.getString("body_excerpt"));
      JsonObject ok =
          node.post(CHANNELS + "/" + id + "/test", TestNode.ADMIN_KEY, null).bodyAsJsonObject();
      assertEquals(true, ok.getBoolean("delivered"));
      assertEquals("test", receiver.requests().get(1).header("X-Analytics-Event"));
      assertEquals(
          0,
          node.count(
              "SELECT count(*) FROM notification_deliveries WHERE channel_id = '" + id + "'"),
          "tests bypass the outbox");
    } finally {
      TestNode.await(receiver.close());
    }
  }

  // ---- bad input
  // ---------------------------------------------------------------------------------------------

  record Bad(String name, JsonObject body, String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Bad> badBodies() {
    return Stream.of(
        new Bad("no type", new JsonObject().put("name", "x"), "type"),
        new Bad("unknown type", new JsonObject().put("name", "x").put("type", "pager"), "type"),
        new Bad(
            "no name",
            new JsonObject()
                .put("type", "discord")
                .put("url", "https://discord.com/api/webhooks/1/a"),
            "name"),
        new Bad(
            "webhook without url",
            new JsonObject().put("name", "x").put("type", "webhook").put("secret", SECRET),
            "url"),
        new Bad(
            "webhook url not http",
            new JsonObject()
                .put("name", "x")
                .put("type", "webhook")
                .put("url", "ftp://h/x")
                .put("secret", SECRET),
            "url"),
        new Bad(
            "webhook secret too short",
            new JsonObject()
                .put("name", "x")
                .put("type", "webhook")
                .put("url", "https://h/x")
                .put("secret", "short"),
            "secret"),
        new Bad(
            "ntfy topic with a slash",
            new JsonObject().put("name", "x").put("type", "ntfy").put("topic", "a/b"),
            "topic"),
        new Bad(
            "gotify without token",
            new JsonObject().put("name", "x").put("type", "gotify").put("server_url", "https://g"),
            "app_token"),
        new Bad(
            "telegram without bot token",
            new JsonObject().put("name", "x").put("type", "telegram").put("chat_id", "1"),
            "bot_token"),
        new Bad(
            "pushover without user key",
            new JsonObject().put("name", "x").put("type", "pushover").put("app_token", "a"),
            "user_key"),
        new Bad(
            "email without recipients",
            new JsonObject()
                .put("name", "x")
                .put("type", "email")
                .put("smtp_host", "h")
                .put("from", "a@b.co"),
            "to"),
        new Bad(
            "unknown event",
            new JsonObject()
                .put("name", "x")
                .put("type", "discord")
                .put("url", "https://d/x")
                .put("events", new JsonArray().add("alert.exploded")),
            "events[0]"),
        new Bad(
            "quiet hours start not a time",
            new JsonObject()
                .put("name", "x")
                .put("type", "discord")
                .put("url", "https://d/x")
                .put(
                    "quiet_hours",
                    new JsonObject()
                        .put("timezone", "UTC")
                        .put("start", "25:00")
                        .put("end", "07:00")),
            "quiet_hours.start"),
        new Bad(
            "min severity unknown",
            new JsonObject()
                .put("name", "x")
                .put("type", "discord")
                .put("url", "https://d/x")
                .put("min_severity", "urgent"),
            "min_severity"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badChannelBodyIs400NamingTheFieldAndWritesNothing(Bad bad) {
    String before = node.snapshot("notification_channels");
    HttpResponse<Buffer> r = node.post(CHANNELS, TestNode.ADMIN_KEY, bad.body());
    assertEquals(400, r.statusCode(), r.bodyAsString());
    List<String> fields =
        r.bodyAsJsonObject().getJsonArray("errors").stream()
            .map(e -> ((JsonObject) e).getString("field"))
            .toList();
    assertTrue(fields.contains(bad.field()), bad.name() + ": " + fields);
    assertEquals(before, node.snapshot("notification_channels"));
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------------------

  static JsonObject webhook(String name, String url) {
    return new JsonObject()
        .put("name", name)
        .put("type", "webhook")
        .put("url", url)
        .put("secret", SECRET);
  }

  /**
   * Channels here listen to alert.raised only (unless a test says otherwise): the sessions also
   * make device.new.
   */
  static String createChannel(JsonObject body) {
    if (!body.containsKey("events")) body.put("events", new JsonArray().add("alert.raised"));
    HttpResponse<Buffer> r = node.post(CHANNELS, TestNode.ADMIN_KEY, body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  /** A window around now in UTC, so the test holds at any hour. */
  static JsonObject quietNow(boolean allowHigh) {
    DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
    Instant now = Instant.now();
    return new JsonObject()
        .put("timezone", "UTC")
        .put("start", now.minus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC).format(hhmm))
        .put("end", now.plus(Duration.ofHours(2)).atOffset(ZoneOffset.UTC).format(hhmm))
        .put("allow_high", allowHigh);
  }

  static void startSession(UUID user, String device) {
    HttpResponse<Buffer> r =
        node.post(SESSIONS, TestNode.INGEST_KEY, SessionBodies.start(user, device, "192.168.1.10"));
    assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.bodyAsString());
  }

  /** Four devices at once (threshold 3): the detector raises concurrent_streams; its id. */
  static String raiseConcurrentStreams(UUID user) {
    for (int i = 1; i <= 4; i++) startSession(user, "device-" + i);
    Await.until(
        WAIT,
        "the alert is raised",
        () ->
            node.count(
                    "SELECT count(*) FROM sharing_alerts WHERE user_id = '"
                        + user
                        + "' AND alert_type = 'concurrent_streams'")
                == 1);
    JsonObject page =
        node.get("/api/v1/analytics/sharing/alerts?user_id=" + user, TestNode.ADMIN_KEY)
            .bodyAsJsonObject();
    return page.getJsonArray("items").getJsonObject(0).getString("id");
  }

  /** What a receiver does, written without the service's code. */
  static boolean hmacMatches(String secret, String timestamp, byte[] body, String header)
      throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
    String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> form(String body) {
    Map<String, String> out = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      out.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }
}
