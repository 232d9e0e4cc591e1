package io.tracearr.analytics.notify;

import static io.tracearr.analytics.notify.DocumentedShape.assertConforms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Each type's request, field by field against the service's documented example (see
 * resources/notify/README.md).
 */
class RenderersTest {

  static final Instant OCCURRED = Instant.parse("2026-01-02T03:00:00Z");
  static final Instant NOW = Instant.parse("2026-01-02T03:00:01Z");
  static final String DELIVERY = "0b9c3f5e-3c1f-4f55-9d36-4c1bde0d8a11";
  static final String DASHBOARD = "https://analytics.example.com/";
  static final RenderContext CTX = new RenderContext(DELIVERY, DASHBOARD, NOW);

  /**
   * A geo_impossible alert exactly as AlertRepository.toJson shows it, evidence as
   * GeoImpossibleRule writes it.
   */
  static JsonObject geoAlert() {
    JsonObject evidence =
        new JsonObject()
            .put("distance_km", 5818.4)
            .put("raw_distance_km", 5838.4)
            .put("threshold_km", 500.0)
            .put(
                "session_ids",
                new JsonArray()
                    .add("6f1c7a43-0000-4000-8000-000000000001")
                    .add("6f1c7a43-0000-4000-8000-000000000002"))
            .put(
                "locations",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("city", "Paris")
                            .put("country", "FR")
                            .put("latitude", 48.86)
                            .put("longitude", 2.35)
                            .put("accuracy_km", 10))
                    .add(
                        new JsonObject()
                            .put("city", "Syracuse")
                            .put("country", "US")
                            .put("latitude", 43.05)
                            .put("longitude", -76.15)
                            .put("accuracy_km", 10)))
            .put("ip_addresses", new JsonArray().add("90.80.10.5").add("24.24.24.5"));
    return alert("geo_impossible", "high", evidence);
  }

  static JsonObject concurrentAlert() {
    JsonObject evidence =
        new JsonObject()
            .put("count", 3)
            .put("threshold", 2)
            .put("session_ids", new JsonArray().add("s1").add("s2").add("s3"))
            .put("devices", new JsonArray().add("apple-tv").add("chrome-win").add("roku"));
    return alert("concurrent_streams", "medium", evidence);
  }

  static JsonObject alert(String type, String severity, JsonObject evidence) {
    return new JsonObject()
        .put("id", "a7d0c1de-0000-4000-8000-00000000a1e7")
        .put("user_id", "9b2e4f10-0000-4000-8000-0000000000a1")
        .put("alert_type", type)
        .put("severity", severity)
        .put("evidence", evidence)
        .put("status", "open")
        .put("created_at", OCCURRED.toString())
        .put("updated_at", OCCURRED.toString())
        .put("occurrences", 1)
        .putNull("dismissed_at")
        .putNull("dismissed_by")
        .putNull("dismiss_reason");
  }

  static NotificationEvent raised(JsonObject alert) {
    return NotificationEvent.alert(EventType.ALERT_RAISED, alert, "Zoë", OCCURRED);
  }

  static ChannelSpec spec(JsonObject body) {
    return ChannelSpec.parse(body.copy().put("name", "test")).orThrow();
  }

  @Test
  void webhookIsOurSignedJson() throws Exception {
    String secret = "whsec-0123456789abcdef";
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "webhook")
                .put("url", "https://hooks.example.com/in")
                .put("secret", secret));
    JsonObject alert = geoAlert();
    OutgoingRequest r = Renderers.request(spec, raised(alert), CTX);

    assertEquals("POST", r.method());
    assertEquals("https://hooks.example.com/in", r.url());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("alert.raised", r.header("X-Analytics-Event"));
    assertEquals(DELIVERY, r.header("X-Analytics-Delivery"));
    assertEquals(Long.toString(NOW.getEpochSecond()), r.header("X-Analytics-Timestamp"));
    JsonObject body = r.bodyAsJson();
    assertEquals(
        List.of("event", "delivery_id", "occurred_at", "data"), List.copyOf(body.fieldNames()));
    assertEquals("alert.raised", body.getString("event"));
    assertEquals(DELIVERY, body.getString("delivery_id"));
    assertEquals("2026-01-02T03:00:00Z", body.getString("occurred_at"));
    assertEquals(
        alert, body.getJsonObject("data"), "data is the alert exactly as the REST API shows it");

    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((NOW.getEpochSecond() + ".").getBytes(StandardCharsets.UTF_8));
    assertEquals(
        "sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body())),
        r.header("X-Analytics-Signature"));

    OutgoingRequest retry =
        Renderers.request(
            spec, raised(alert), new RenderContext(DELIVERY, DASHBOARD, NOW.plusSeconds(4)));
    assertEquals(
        DELIVERY,
        retry.header("X-Analytics-Delivery"),
        "every attempt carries the same delivery id");
    assertTrue(java.util.Arrays.equals(r.body(), retry.body()), "and the same body");
  }

  @Test
  void discordMatchesTheExecuteWebhookShape() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "discord")
                .put("url", "https://discord.com/api/webhooks/123/tok"));
    OutgoingRequest r = Renderers.request(spec, raised(geoAlert()), CTX);
    assertEquals("POST", r.method());
    assertEquals("https://discord.com/api/webhooks/123/tok?wait=true", r.url());
    assertEquals("application/json", r.header("Content-Type"));
    JsonObject body = r.bodyAsJson();
    assertConforms(DocumentedShape.json("discord-execute-webhook.json"), body);

    JsonObject embed = body.getJsonArray("embeds").getJsonObject(0);
    assertEquals(0xE74C3C, embed.getInteger("color"), "high is red");
    assertEquals("High geo impossible alert raised - Zoë", embed.getString("title"));
    assertEquals(DASHBOARD, embed.getString("url"));
    assertEquals("2026-01-02T03:00:00Z", embed.getString("timestamp"));
    assertEquals(
        Map.of(
            "User",
            "Zoë",
            "Places",
            "Paris, FR ↔ Syracuse, US",
            "Distance",
            "5 818.4 km",
            "Addresses",
            "90.80.10.5, 24.24.24.5",
            "Severity",
            "high"),
        fieldMap(embed));
    assertTrue(
        embed
            .getString("description")
            .contains("2 streams 5 818.4 km apart: Paris, FR ↔ Syracuse, US (limit 500 km)"),
        embed.getString("description"));
    assertEquals(new JsonArray(), body.getJsonObject("allowed_mentions").getJsonArray("parse"));

    JsonObject concurrent =
        Renderers.request(spec, raised(concurrentAlert()), CTX)
            .bodyAsJson()
            .getJsonArray("embeds")
            .getJsonObject(0);
    assertEquals(0xE67E22, concurrent.getInteger("color"), "medium is orange");
    assertEquals("apple-tv, chrome-win, roku", fieldMap(concurrent).get("Devices"));
  }

  @Test
  void discordRespectsItsDocumentedLimits() {
    JsonObject alert = geoAlert();
    alert
        .getJsonObject("evidence")
        .put("ip_addresses", new JsonArray(java.util.Collections.nCopies(400, "255.255.255.255")));
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "discord")
                .put("url", "https://discord.com/api/webhooks/1/t"));
    JsonObject embed =
        Renderers.request(
                spec,
                NotificationEvent.alert(EventType.ALERT_RAISED, alert, "x".repeat(3000), OCCURRED),
                CTX)
            .bodyAsJson()
            .getJsonArray("embeds")
            .getJsonObject(0);
    assertTrue(embed.getString("title").length() <= 256);
    embed
        .getJsonArray("fields")
        .forEach(f -> assertTrue(((JsonObject) f).getString("value").length() <= 1024));
  }

  @Test
  void slackMatchesTheIncomingWebhookShape() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "slack")
                .put("url", "https://hooks.slack.com/services/T0/B0/XXX"));
    JsonObject alert = geoAlert();
    OutgoingRequest r =
        Renderers.request(
            spec,
            NotificationEvent.alert(EventType.ALERT_RAISED, alert, "A<b> & co", OCCURRED),
            CTX);
    assertEquals("POST", r.method());
    assertEquals("https://hooks.slack.com/services/T0/B0/XXX", r.url());
    assertEquals("application/json", r.header("Content-Type"));
    JsonObject body = r.bodyAsJson();
    assertConforms(DocumentedShape.json("slack-incoming-webhook.json"), body);
    assertTrue(
        body.getString("text").contains("A&lt;b&gt; &amp; co"),
        "mrkdwn control characters escaped: " + body.getString("text"));
    JsonArray blocks = body.getJsonArray("blocks");
    assertEquals(
        List.of("section", "section", "context"),
        blocks.stream().map(b -> ((JsonObject) b).getString("type")).toList());
    assertEquals(
        "*Distance*\n5 818.4 km",
        blocks.getJsonObject(1).getJsonArray("fields").getJsonObject(2).getString("text"));
    assertTrue(
        blocks
            .getJsonObject(2)
            .getJsonArray("elements")
            .getJsonObject(0)
            .getString("text")
            .endsWith("<" + DASHBOARD + "|Open dashboard>"));
  }

  @Test
  void ntfyMatchesThePublishExample() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "ntfy")
                .put("server_url", "https://ntfy.example.com/")
                .put("topic", "phil_alerts")
                .put("token", "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"));
    OutgoingRequest r = Renderers.request(spec, raised(geoAlert()), CTX);
    DocumentedShape.HttpExample doc =
        DocumentedShape.HttpExample.parse(DocumentedShape.resource("ntfy-publish.http"));
    assertEquals(doc.method(), r.method());
    assertEquals("https://ntfy.example.com" + doc.path(), r.url());
    Set<String> ours = new java.util.HashSet<>(r.headers().keySet());
    ours.removeAll(Set.of("Content-Type", "User-Agent"));
    assertTrue(doc.headers().keySet().containsAll(ours), "undocumented headers: " + ours);
    assertEquals(doc.headers().get("Authorization"), r.header("Authorization"));
    assertEquals("urgent", r.header("Priority"));
    assertTrue(
        Set.of("1", "2", "3", "4", "5", "min", "low", "default", "high", "urgent", "max")
            .contains(r.header("Priority")));
    assertEquals("rotating_light,geo_impossible", r.header("Tags"));
    assertEquals(DASHBOARD, r.header("Click"));
    // "Zoë" is not ASCII: sent as an RFC 2047 encoded word, which ntfy documents
    String title = r.header("Title");
    assertTrue(title.startsWith("=?UTF-8?B?") && title.endsWith("?="), title);
    assertEquals(
        "High geo impossible alert raised - Zoë",
        new String(
            Base64.getDecoder().decode(title.substring(10, title.length() - 2)),
            StandardCharsets.UTF_8));
    assertTrue(
        r.bodyAsString()
            .startsWith(
                "High geo impossible alert raised\nWho: Zoë\nWhere: Paris, FR ↔ Syracuse, US\nWhy: "),
        r.bodyAsString());
    assertTrue(r.body().length <= 4096);
  }

  @Test
  void gotifyMatchesTheMessageShape() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "gotify")
                .put("server_url", "https://push.example.de")
                .put("app_token", "AbCdEf"));
    OutgoingRequest r = Renderers.request(spec, raised(concurrentAlert()), CTX);
    assertEquals("POST", r.method());
    assertEquals("https://push.example.de/message", r.url());
    assertEquals("AbCdEf", r.header("X-Gotify-Key"));
    assertEquals(
        "application/json",
        r.header("Content-Type"),
        "extras are only accepted with application/json");
    JsonObject body = r.bodyAsJson();
    assertConforms(DocumentedShape.json("gotify-message.json"), body);
    assertEquals(5, body.getInteger("priority"));
    assertEquals(
        DASHBOARD,
        body.getJsonObject("extras")
            .getJsonObject("client::notification")
            .getJsonObject("click")
            .getString("url"));
  }

  @Test
  void telegramMatchesSendMessage() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "telegram")
                .put("bot_token", "123456:ABC-DEF")
                .put("chat_id", "-1001234567890")
                .put("api_base_url", "http://127.0.0.1:8081"));
    OutgoingRequest r = Renderers.request(spec, raised(geoAlert()), CTX);
    assertEquals("POST", r.method());
    assertEquals("http://127.0.0.1:8081/bot123456:ABC-DEF/sendMessage", r.url());
    assertFalse(
        r.toString().contains("ABC-DEF"), "the token is in the URL; toString must not print it");
    JsonObject body = r.bodyAsJson();
    assertConforms(DocumentedShape.json("telegram-sendMessage.json"), body);
    assertEquals(-1001234567890L, body.getLong("chat_id"));
    assertTrue(body.getString("text").length() <= 4096);
    assertTrue(body.getString("text").endsWith("Dashboard: " + DASHBOARD));

    ChannelSpec channel =
        spec(
            new JsonObject()
                .put("type", "telegram")
                .put("bot_token", "1:a")
                .put("chat_id", "@ops_alerts"));
    JsonObject byName = Renderers.request(channel, raised(geoAlert()), CTX).bodyAsJson();
    assertEquals("@ops_alerts", byName.getString("chat_id"));
    assertTrue(
        Renderers.request(channel, raised(geoAlert()), CTX)
            .url()
            .startsWith("https://api.telegram.org/bot1:a/"));
  }

  @Test
  void pushoverMatchesTheMessagesParameters() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "pushover")
                .put("user_key", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG")
                .put("app_token", "azGDORePK8gMaC0QOYAMyEEuzJnyUi")
                .put("api_base_url", "http://127.0.0.1:9"));
    OutgoingRequest r = Renderers.request(spec, raised(geoAlert()), CTX);
    assertEquals("POST", r.method());
    assertEquals("http://127.0.0.1:9/1/messages.json", r.url());
    assertEquals("application/x-www-form-urlencoded", r.header("Content-Type"));
    Map<String, String> documented =
        DocumentedShape.form(DocumentedShape.resource("pushover-messages.form"));
    Map<String, String> ours = DocumentedShape.form(r.bodyAsString());
    assertTrue(
        documented.keySet().containsAll(ours.keySet()),
        "undocumented parameters: " + ours.keySet());
    assertTrue(
        ours.keySet().containsAll(List.of("token", "user", "message")), "required by Pushover");
    assertEquals("azGDORePK8gMaC0QOYAMyEEuzJnyUi", ours.get("token"));
    assertEquals("uQiRzpo4DXghDmr9QzzfQu27cmVRsG", ours.get("user"));
    assertEquals("1", ours.get("priority"));
    assertEquals(Long.toString(OCCURRED.getEpochSecond()), ours.get("timestamp"));
    assertEquals(DASHBOARD, ours.get("url"));
    assertTrue(ours.get("message").length() <= 1024 && ours.get("title").length() <= 250);
  }

  @Test
  void emailIsAMailWithTheSameWords() {
    ChannelSpec spec =
        spec(
            new JsonObject()
                .put("type", "email")
                .put("smtp_host", "127.0.0.1")
                .put("smtp_port", 3025)
                .put("starttls", "disabled")
                .put("from", "tracearr@example.com")
                .put("to", new JsonArray().add("ops@example.com")));
    OutgoingMail mail =
        Renderers.mail(
            spec,
            NotificationEvent.alert(EventType.ALERT_RAISED, geoAlert(), "<script>", OCCURRED),
            CTX);
    assertEquals("tracearr@example.com", mail.from());
    assertEquals(List.of("ops@example.com"), mail.to());
    assertEquals("[tracearr] High geo impossible alert raised - <script>", mail.subject());
    assertTrue(mail.text().contains("Who: <script>\n"));
    assertFalse(mail.html().contains("<script>"), "names are escaped in HTML");
    assertTrue(mail.html().contains("&lt;script&gt;"));
  }

  @Test
  void eventsWithoutDashboardOrUserStillRender() {
    NotificationEvent down =
        NotificationEvent.mediaServer(
            EventType.MEDIA_SERVER_DOWN,
            new JsonObject().put("id", "plex-1"),
            "Plex",
            "no answer for 30 s",
            OCCURRED);
    RenderContext noDashboard = new RenderContext(DELIVERY, null, NOW);
    for (JsonObject body :
        List.of(
            new JsonObject()
                .put("type", "discord")
                .put("url", "https://discord.com/api/webhooks/1/t"),
            new JsonObject().put("type", "slack").put("url", "https://hooks.slack.com/services/a"),
            new JsonObject().put("type", "ntfy").put("topic", "t"),
            new JsonObject()
                .put("type", "gotify")
                .put("server_url", "http://g")
                .put("app_token", "x"),
            new JsonObject().put("type", "telegram").put("bot_token", "1:a").put("chat_id", 1),
            new JsonObject().put("type", "pushover").put("user_key", "u").put("app_token", "a"))) {
      OutgoingRequest r = Renderers.request(spec(body), down, noDashboard);
      assertFalse(
          r.bodyAsString().contains("null"), body.getString("type") + ": " + r.bodyAsString());
    }
    JsonObject embed =
        Renderers.request(
                spec(
                    new JsonObject()
                        .put("type", "discord")
                        .put("url", "https://discord.com/api/webhooks/1/t")),
                down,
                noDashboard)
            .bodyAsJson()
            .getJsonArray("embeds")
            .getJsonObject(0);
    assertNull(embed.getString("url"));
    assertEquals(0xE74C3C, embed.getInteger("color"));
    assertEquals("Media server down: Plex", embed.getString("title"));
  }

  @Test
  void sessionEventsSayWhoWhereAndWhy() {
    JsonObject session =
        new JsonObject()
            .put("id", "s1")
            .put("user_id", "u1")
            .put("content_title", "Dune")
            .put("device_name", "Living room TV")
            .put("client_name", "Plex for LG")
            .put("ip_address", "90.80.10.5")
            .put("location", new JsonObject().put("city", "Lyon").put("country", "FR"));
    NotificationEvent e =
        NotificationEvent.session(
            EventType.DEVICE_NEW,
            session,
            "alice",
            "first session on a device never seen before",
            OCCURRED);
    MessageText text = MessageText.of(e, DASHBOARD);
    assertEquals("New device: Living room TV - alice", text.title());
    assertEquals(
        "New device: Living room TV\nWho: alice\nWhere: Lyon, FR (90.80.10.5)\n"
            + "Why: first session on a device never seen before, on Living room TV (Plex for LG)\nDashboard: "
            + DASHBOARD,
        text.plainBody());
  }

  @Test
  void theShapeCheckCatchesUndocumentedFieldsAndWrongTypes() {
    JsonObject doc = DocumentedShape.json("discord-execute-webhook.json");
    JsonObject good =
        new JsonObject()
            .put("content", "x")
            .put("embeds", new JsonArray().add(new JsonObject().put("color", 1)));
    assertConforms(doc, good);
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class,
        () -> assertConforms(doc, good.copy().put("colour", 1)),
        "undocumented field");
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class,
        () ->
            assertConforms(
                doc,
                new JsonObject()
                    .put("embeds", new JsonArray().add(new JsonObject().put("color", "#ff0000")))),
        "colour as a string");
    JsonObject numericValue =
        new JsonObject()
            .put(
                "embeds",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put(
                                "fields",
                                new JsonArray()
                                    .add(new JsonObject().put("name", "n").put("value", 5)))));
    org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class, () -> assertConforms(doc, numericValue), "field value as a number");
  }

  private static Map<String, String> fieldMap(JsonObject embed) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    embed
        .getJsonArray("fields")
        .forEach(
            f -> out.put(((JsonObject) f).getString("name"), ((JsonObject) f).getString("value")));
    return out;
  }
}
