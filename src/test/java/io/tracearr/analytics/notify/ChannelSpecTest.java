package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChannelSpecTest {

  static final String SECRET = "s3cret-s3cret-s3cret";

  static JsonObject webhook() {
    return new JsonObject()
        .put("name", "ops")
        .put("type", "webhook")
        .put("url", "https://hooks.example.com/in")
        .put("secret", SECRET);
  }

  /** One valid body per type: the minimum each needs. */
  static Stream<Arguments> validBodies() {
    return Stream.of(
        Arguments.of("webhook", webhook()),
        Arguments.of(
            "discord",
            new JsonObject()
                .put("name", "d")
                .put("type", "discord")
                .put("url", "https://discord.com/api/webhooks/1/tok")),
        Arguments.of(
            "slack",
            new JsonObject()
                .put("name", "s")
                .put("type", "slack")
                .put("url", "https://hooks.slack.com/services/T/B/X")),
        Arguments.of(
            "ntfy without server (public default)",
            new JsonObject().put("name", "n").put("type", "ntfy").put("topic", "tracearr_alerts")),
        Arguments.of(
            "gotify",
            new JsonObject()
                .put("name", "g")
                .put("type", "gotify")
                .put("server_url", "http://gotify.lan")
                .put("app_token", "AbC")),
        Arguments.of(
            "telegram with numeric chat id",
            new JsonObject()
                .put("name", "t")
                .put("type", "telegram")
                .put("bot_token", "123:abc")
                .put("chat_id", -1001234567890L)),
        Arguments.of(
            "pushover",
            new JsonObject()
                .put("name", "p")
                .put("type", "pushover")
                .put("user_key", "u")
                .put("app_token", "a")),
        Arguments.of(
            "email with one address as a string",
            new JsonObject()
                .put("name", "e")
                .put("type", "email")
                .put("smtp_host", "smtp.lan")
                .put("from", "tracearr@example.com")
                .put("to", "ops@example.com")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validBodies")
  void validBodiesParse(String name, JsonObject body) {
    Validated<ChannelSpec> v = ChannelSpec.parse(body);
    assertTrue(v.isValid(), () -> v.problem().toJson().encodePrettily());
  }

  /** One row per mistake: the body, and the field the 400 must name with its message. */
  static Stream<Arguments> invalidBodies() {
    return Stream.of(
        Arguments.of("missing name", webhook().copy().putNull("name"), "name", "is required"),
        Arguments.of(
            "unknown type",
            webhook().copy().put("type", "fax"),
            "type",
            "must be one of webhook, discord, slack, ntfy, gotify, telegram, pushover, email"),
        Arguments.of(
            "webhook url not http",
            webhook().copy().put("url", "ftp://example.com/x"),
            "url",
            "must be an http(s) URL"),
        Arguments.of(
            "webhook url relative",
            webhook().copy().put("url", "/hooks"),
            "url",
            "must be an http(s) URL"),
        Arguments.of(
            "webhook without secret", webhook().copy().putNull("secret"), "secret", "is required"),
        Arguments.of(
            "webhook secret too short",
            webhook().copy().put("secret", "short"),
            "secret",
            "must be at least 16 characters"),
        Arguments.of(
            "events empty",
            webhook().copy().put("events", new JsonArray()),
            "events",
            "must name at least one event"),
        Arguments.of(
            "events unknown",
            webhook()
                .copy()
                .put("events", new JsonArray().add("alert.raised").add("alert.exploded")),
            "events[1]",
            "unknown event 'alert.exploded'"),
        Arguments.of(
            "min_severity unknown",
            webhook().copy().put("min_severity", "critical"),
            "min_severity",
            "must be low, medium or high"),
        Arguments.of(
            "enabled not boolean",
            webhook().copy().put("enabled", "yes"),
            "enabled",
            "must be true or false"),
        Arguments.of(
            "quiet hours unknown zone",
            webhook().copy().put("quiet_hours", quiet("Mars/Olympus", "22:00", "07:00")),
            "quiet_hours.timezone",
            "unknown time zone"),
        Arguments.of(
            "quiet hours bad start",
            webhook().copy().put("quiet_hours", quiet("Europe/Paris", "25:00", "07:00")),
            "quiet_hours.start",
            "must be a time as HH:mm (00:00-23:59)"),
        Arguments.of(
            "quiet hours end = start",
            webhook().copy().put("quiet_hours", quiet("Europe/Paris", "07:00", "07:00")),
            "quiet_hours.end",
            "must differ from start"),
        Arguments.of(
            "quiet hours not an object",
            webhook().copy().put("quiet_hours", "22-07"),
            "quiet_hours",
            "must be an object"),
        Arguments.of(
            "discord url missing",
            new JsonObject().put("name", "d").put("type", "discord"),
            "url",
            "is required"),
        Arguments.of(
            "ntfy topic with slash",
            new JsonObject().put("name", "n").put("type", "ntfy").put("topic", "a/b"),
            "topic",
            "must be 1-64 letters, digits, '_' or '-'"),
        Arguments.of(
            "ntfy server not a URL",
            new JsonObject()
                .put("name", "n")
                .put("type", "ntfy")
                .put("topic", "t")
                .put("server_url", "ntfy.sh"),
            "server_url",
            "must be an http(s) URL"),
        Arguments.of(
            "gotify without token",
            new JsonObject()
                .put("name", "g")
                .put("type", "gotify")
                .put("server_url", "http://g.lan"),
            "app_token",
            "is required"),
        Arguments.of(
            "telegram without chat",
            new JsonObject().put("name", "t").put("type", "telegram").put("bot_token", "1:a"),
            "chat_id",
            "is required"),
        Arguments.of(
            "telegram token with slash",
            new JsonObject()
                .put("name", "t")
                .put("type", "telegram")
                .put("bot_token", "1:a/b")
                .put("chat_id", "@c"),
            "bot_token",
            "must not contain '/', '?' or '#'"),
        Arguments.of(
            "pushover without user key",
            new JsonObject().put("name", "p").put("type", "pushover").put("app_token", "a"),
            "user_key",
            "is required"),
        Arguments.of(
            "email bad recipient",
            new JsonObject()
                .put("name", "e")
                .put("type", "email")
                .put("smtp_host", "h")
                .put("from", "a@b.c")
                .put("to", new JsonArray().add("ops")),
            "to[0]",
            "must be an e-mail address"),
        Arguments.of(
            "email bad starttls",
            new JsonObject()
                .put("name", "e")
                .put("type", "email")
                .put("smtp_host", "h")
                .put("from", "a@b.c")
                .put("to", "o@b.c")
                .put("starttls", "always"),
            "starttls",
            "must be disabled, optional or required"),
        Arguments.of(
            "email port out of range",
            new JsonObject()
                .put("name", "e")
                .put("type", "email")
                .put("smtp_host", "h")
                .put("from", "a@b.c")
                .put("to", "o@b.c")
                .put("smtp_port", 70000),
            "smtp_port",
            "must be between 1 and 65535"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidBodies")
  void invalidBodiesNameTheField(String name, JsonObject body, String field, String message) {
    Validated<ChannelSpec> v = ChannelSpec.parse(body);
    assertFalse(v.isValid());
    Problem p = v.problem();
    assertEquals(400, p.status());
    assertTrue(
        p.errors().contains(new Problem.FieldError(field, message)),
        () -> p.toJson().encodePrettily());
  }

  @Test
  void everyBadFieldIsNamedAtOnce() {
    JsonObject body =
        new JsonObject().put("type", "webhook").put("url", "nope").put("min_severity", "x");
    List<Problem.FieldError> errors = ChannelSpec.parse(body).problem().errors();
    assertEquals(
        Set.of("name", "url", "secret", "min_severity"),
        Set.copyOf(errors.stream().map(Problem.FieldError::field).toList()));
  }

  static Stream<Arguments> secretsByType() {
    return Stream.of(
        Arguments.of(webhook(), List.of("secret"), "secret_set"),
        Arguments.of(
            new JsonObject()
                .put("name", "n")
                .put("type", "ntfy")
                .put("topic", "t")
                .put("token", "tk_SECRET"),
            List.of("token"),
            "token_set"),
        Arguments.of(
            new JsonObject()
                .put("name", "g")
                .put("type", "gotify")
                .put("server_url", "http://g")
                .put("app_token", "APPSECRET"),
            List.of("app_token"),
            "app_token_set"),
        Arguments.of(
            new JsonObject()
                .put("name", "t")
                .put("type", "telegram")
                .put("bot_token", "1:BOTSECRET")
                .put("chat_id", "@c"),
            List.of("bot_token"),
            "bot_token_set"),
        Arguments.of(
            new JsonObject()
                .put("name", "p")
                .put("type", "pushover")
                .put("user_key", "USERSECRET")
                .put("app_token", "APPSECRET"),
            List.of("user_key", "app_token"),
            "user_key_set"),
        Arguments.of(
            new JsonObject()
                .put("name", "e")
                .put("type", "email")
                .put("smtp_host", "h")
                .put("from", "a@b.c")
                .put("to", "o@b.c")
                .put("username", "u")
                .put("password", "PWSECRET"),
            List.of("password"),
            "password_set"),
        Arguments.of(
            new JsonObject()
                .put("name", "d")
                .put("type", "discord")
                .put("url", "https://discord.com/api/webhooks/1/URLSECRET"),
            List.of(),
            "url_set"));
  }

  @ParameterizedTest
  @MethodSource("secretsByType")
  void toJsonNeverShowsASecret(JsonObject body, List<String> secretFields, String flag) {
    ChannelSpec spec = ChannelSpec.parse(body).orThrow();
    JsonObject shown = spec.toJson();
    String text = shown.encode();
    for (String f : secretFields) {
      assertFalse(shown.containsKey(f), f + " shown: " + text);
      assertFalse(text.contains(body.getString(f)), "secret value leaked: " + text);
    }
    assertFalse(text.contains("SECRET") || text.contains(SECRET), text);
    assertFalse(spec.toString().contains("SECRET") || spec.toString().contains(SECRET));
    assertEquals(true, shown.getBoolean(flag));
    // the stored form keeps them, so a restart can still send
    ChannelSpec restored = ChannelSpec.restore(spec.storedJson()).orThrow();
    assertEquals(spec, restored);
  }

  @Test
  void defaults() {
    ChannelSpec spec = ChannelSpec.parse(webhook()).orThrow();
    assertTrue(spec.enabled());
    assertEquals(Severity.LOW, spec.minSeverity());
    assertEquals(
        Set.of(
            EventType.ALERT_RAISED,
            EventType.ALERT_DISMISSED,
            EventType.DEVICE_NEW,
            EventType.SESSION_TERMINATED,
            EventType.MEDIA_SERVER_DOWN,
            EventType.MEDIA_SERVER_UP,
            EventType.TEST),
        spec.events());
    assertEquals(null, spec.quietHours());
    ChannelSpec ntfy =
        ChannelSpec.parse(new JsonObject().put("name", "n").put("type", "ntfy").put("topic", "t"))
            .orThrow();
    assertEquals("https://ntfy.sh", ((ChannelSettings.Ntfy) ntfy.settings()).serverUrl());
    ChannelSpec tg =
        ChannelSpec.parse(
                new JsonObject()
                    .put("name", "t")
                    .put("type", "telegram")
                    .put("bot_token", "1:a")
                    .put("chat_id", 5))
            .orThrow();
    assertEquals(
        "https://api.telegram.org", ((ChannelSettings.Telegram) tg.settings()).apiBaseUrl());
    ChannelSpec po =
        ChannelSpec.parse(
                new JsonObject()
                    .put("name", "p")
                    .put("type", "pushover")
                    .put("user_key", "u")
                    .put("app_token", "a"))
            .orThrow();
    assertEquals(
        "https://api.pushover.net", ((ChannelSettings.Pushover) po.settings()).apiBaseUrl());
  }

  @Test
  void patchKeepsOmittedSecretsAndChangesTheRest() {
    ChannelSpec spec = ChannelSpec.parse(webhook()).orThrow();
    ChannelSpec patched =
        spec.merge(
                new JsonObject()
                    .put("name", "renamed")
                    .put("min_severity", "high")
                    .put("quiet_hours", quiet("Europe/Paris", "22:00", "07:00")))
            .orThrow();
    assertEquals(spec.id(), patched.id());
    assertEquals("renamed", patched.name());
    assertEquals(Severity.HIGH, patched.minSeverity());
    assertEquals(SECRET, ((ChannelSettings.Webhook) patched.settings()).secret());
    assertNotNull(patched.quietHours());
    // null removes an optional field, and a required one removed is a 400 naming it
    assertEquals(
        null, patched.merge(new JsonObject().putNull("quiet_hours")).orThrow().quietHours());
    assertEquals(
        List.of(new Problem.FieldError("secret", "is required")),
        patched.merge(new JsonObject().putNull("secret")).problem().errors());
    assertEquals(
        "type",
        spec.merge(new JsonObject().put("type", "slack")).problem().errors().get(0).field());
    assertEquals(
        "url",
        spec.merge(new JsonObject().put("url", "mailto:x@y.z")).problem().errors().get(0).field());
  }

  @Test
  void patchMergesQuietHoursField() {
    ChannelSpec spec =
        ChannelSpec.parse(
                webhook().copy().put("quiet_hours", quiet("Europe/Paris", "22:00", "07:00")))
            .orThrow();
    ChannelSpec patched =
        spec.merge(new JsonObject().put("quiet_hours", new JsonObject().put("allow_high", true)))
            .orThrow();
    assertTrue(patched.quietHours().allowHigh());
    assertEquals("22:00", patched.quietHours().toJson().getString("start"));
  }

  @Test
  void wantsFiltersByEventSeverityAndUser() {
    Instant t = Instant.parse("2026-01-02T03:00:00Z");
    JsonObject alert =
        new JsonObject()
            .put("id", "a1")
            .put("user_id", "u1")
            .put("alert_type", "concurrent_streams")
            .put("severity", "medium")
            .put("evidence", new JsonObject());
    ChannelSpec medium =
        ChannelSpec.parse(
                webhook()
                    .copy()
                    .put("min_severity", "medium")
                    .put(
                        "events",
                        new JsonArray()
                            .add("alert.raised")
                            .add("session.started")
                            .add("media_server.down"))
                    .put("user_ids", new JsonArray().add("u1")))
            .orThrow();
    assertTrue(medium.wants(NotificationEvent.alert(EventType.ALERT_RAISED, alert, "alice", t)));
    assertFalse(
        medium.wants(
            NotificationEvent.alert(
                EventType.ALERT_RAISED, alert.copy().put("severity", "low"), "alice", t)));
    assertFalse(
        medium.wants(NotificationEvent.alert(EventType.ALERT_DISMISSED, alert, "alice", t)),
        "not subscribed");
    assertTrue(
        medium.wants(
            NotificationEvent.session(
                EventType.SESSION_STARTED,
                new JsonObject().put("user_id", "u1"),
                "alice",
                null,
                t)));
    assertFalse(
        medium.wants(
            NotificationEvent.session(
                EventType.SESSION_STARTED, new JsonObject().put("user_id", "u2"), "bob", null, t)));
    assertTrue(
        medium.wants(
            NotificationEvent.mediaServer(
                EventType.MEDIA_SERVER_DOWN, new JsonObject(), "plex", "timeout", t)),
        "events without a severity pass min_severity");
    ChannelSpec disabled = medium.merge(new JsonObject().put("enabled", false)).orThrow();
    assertFalse(disabled.wants(NotificationEvent.alert(EventType.ALERT_RAISED, alert, "alice", t)));
  }

  static JsonObject quiet(String zone, String start, String end) {
    return new JsonObject().put("timezone", zone).put("start", start).put("end", end);
  }
}
