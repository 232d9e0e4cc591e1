package io.tracearr.analytics.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

  @Test
  void defaultsMatchTheDocumentedSeedValues() {
    AppConfig c = ConfigLoader.build(TestNode.defaults(), Map.of());
    assertTrue(c.analytics().enabled());
    assertEquals(90, c.analytics().retentionDays());
    assertTrue(c.analytics().sharingDetection().enabled());
    assertEquals(3, c.analytics().sharingDetection().concurrentStreamsThreshold());
    assertEquals(500, c.analytics().sharingDetection().geoDistanceThresholdKm());
    assertEquals(5, c.analytics().sharingDetection().deviceSpikeThreshold());
    assertEquals(8080, c.http().port());
    assertEquals(120, c.sessions().timeoutSeconds());
    assertTrue(c.database().embedded());
    assertEquals("./data", c.dataDir().toString());
    assertEquals(false, c.cluster().enabled());
    assertNull(c.analytics().geoipDbPath());
    assertEquals(new AppConfig.Trust(5, 10, 20, 1), c.trust());
  }

  @Test
  void environmentOverridesTheFile() {
    AppConfig c =
        ConfigLoader.build(
            TestNode.defaults(),
            Map.of(
                "ANALYTICS_ENABLED", "false",
                "ANALYTICS_RETENTION_DAYS", "30",
                "ANALYTICS_SHARING_DETECTION_ENABLED", "false",
                "ANALYTICS_GEOIP_DB_PATH", "/srv/GeoLite2-City.mmdb",
                "ANALYTICS_HTTP_PORT", "9090",
                "ANALYTICS_DATABASE_URL", "postgresql://app:s%40cret@db.example:6543/tracearr",
                "ANALYTICS_DATA_DIR", "/var/lib/tracearr",
                "ANALYTICS_SESSION_TIMEOUT_SECONDS", "60",
                "ANALYTICS_CLUSTER", "true",
                "ANALYTICS_CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2"));
    assertEquals(false, c.analytics().enabled());
    assertEquals(30, c.analytics().retentionDays());
    assertEquals(false, c.analytics().sharingDetection().enabled());
    assertEquals("/srv/GeoLite2-City.mmdb", c.analytics().geoipDbPath().toString());
    assertEquals(9090, c.http().port());
    DatabaseUrl url = c.database().url();
    assertEquals(new DatabaseUrl("db.example", 6543, "tracearr", "app", "s@cret"), url);
    assertEquals(
        "postgresql://app@db.example:6543/tracearr",
        url.toString(),
        "the password is never printed");
    assertEquals("/var/lib/tracearr", c.dataDir().toString());
    assertEquals(60, c.sessions().timeoutSeconds());
    assertTrue(c.cluster().enabled());
    assertEquals(java.util.List.of("10.0.0.1", "10.0.0.2"), c.cluster().members());
  }

  @Test
  void reapIntervalFromTheEnvironment() {
    AppConfig c =
        ConfigLoader.build(TestNode.defaults(), Map.of("ANALYTICS_REAP_INTERVAL_SECONDS", "2"));
    assertEquals(2, c.sessions().reapIntervalSeconds());
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        Arguments.of(
            "negative retention in the file",
            file("analytics", "retention_days", -1),
            Map.of(),
            "analytics.retention_days = -1 (an integer 1..36500)"),
        Arguments.of(
            "port that is not a number, from the environment",
            new JsonObject(),
            Map.of("ANALYTICS_HTTP_PORT", "abc"),
            "http.port (ANALYTICS_HTTP_PORT) = \"abc\" (an integer 0..65535)"),
        Arguments.of(
            "port out of range",
            new JsonObject(),
            Map.of("ANALYTICS_HTTP_PORT", "70000"),
            "http.port (ANALYTICS_HTTP_PORT) = \"70000\" (an integer 0..65535)"),
        Arguments.of(
            "boolean that is not true/false",
            new JsonObject(),
            Map.of("ANALYTICS_CLUSTER", "yes"),
            "cluster.enabled (ANALYTICS_CLUSTER) = \"yes\" (true or false)"),
        Arguments.of(
            "database url with another scheme",
            new JsonObject(),
            Map.of("ANALYTICS_DATABASE_URL", "mysql://x@h/db"),
            "database.url (ANALYTICS_DATABASE_URL) = \"<url with scheme mysql>\""),
        Arguments.of(
            "unknown time zone",
            file("analytics", "timezone", "Mars/Olympus"),
            Map.of(),
            "analytics.timezone = \"Mars/Olympus\" (an IANA time zone"),
        Arguments.of(
            "threshold zero",
            fileNested("concurrent_streams_threshold", 0),
            Map.of(),
            "analytics.sharing_detection.concurrent_streams_threshold = 0 (an integer 1..1000)"),
        Arguments.of(
            "trusted network that is not a CIDR",
            fileNested("trusted_networks", new io.vertx.core.json.JsonArray().add("home")),
            Map.of(),
            "analytics.sharing_detection.trusted_networks = \"home\""),
        Arguments.of(
            "short API key (value not echoed)",
            new JsonObject(),
            Map.of("ANALYTICS_ADMIN_API_KEY", "short"),
            "auth.admin_api_key (ANALYTICS_ADMIN_API_KEY) = \"<5 characters>\" (empty or at least 16 characters)"),
        Arguments.of(
            "negative trust penalty",
            new JsonObject()
                .put("trust", new JsonObject().put("penalty", new JsonObject().put("high", -5))),
            Map.of(),
            "trust.penalty.high = -5 (an integer 0..100)"),
        Arguments.of(
            "trust recovery beyond the scale",
            file("trust", "recovery_per_day", 101),
            Map.of(),
            "trust.recovery_per_day = 101 (an integer 0..100)"),
        Arguments.of(
            "session timeout zero",
            new JsonObject(),
            Map.of("ANALYTICS_SESSION_TIMEOUT_SECONDS", "0"),
            "sessions.timeout_seconds (ANALYTICS_SESSION_TIMEOUT_SECONDS) = \"0\" (an integer 1..86400)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void invalidSettingNamesKeyValueAndWhatIsAllowed(
      String name, JsonObject fileOverride, Map<String, String> env, String expected) {
    JsonObject cfg = TestNode.defaults();
    merge(cfg, fileOverride);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.build(cfg, env));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), "one line");
  }

  private static JsonObject file(String section, String key, Object value) {
    return new JsonObject().put(section, new JsonObject().put(key, value));
  }

  private static JsonObject fileNested(String key, Object value) {
    return new JsonObject()
        .put(
            "analytics",
            new JsonObject().put("sharing_detection", new JsonObject().put(key, value)));
  }

  private static void merge(JsonObject into, JsonObject from) {
    for (String k : from.fieldNames()) {
      Object v = from.getValue(k);
      if (v instanceof JsonObject o && into.getValue(k) instanceof JsonObject t) merge(t, o);
      else into.put(k, v);
    }
  }

  @Test
  void mediaServersAreReadAndEachBadFieldIsNamedWithoutEchoingATokenOrDefaultsApply() {
    io.vertx.core.json.JsonObject cfg = TestNode.defaults();
    cfg.put(
        "media_servers",
        new io.vertx.core.json.JsonArray()
            .add(
                new io.vertx.core.json.JsonObject()
                    .put("name", "den")
                    .put("type", "Plex")
                    .put("url", "http://192.168.1.5:32400")
                    .put("token_env", "PLEX_TOKEN")));
    AppConfig c = ConfigLoader.build(cfg, Map.of("PLEX_TOKEN", "secret-plex-token"));
    assertEquals(30, c.media().leaseSeconds());
    AppConfig.MediaServer s = c.media().servers().get(0);
    assertEquals("plex", s.type());
    assertEquals("secret-plex-token", s.token());
    assertEquals(5, s.pollIntervalSeconds());
    assertTrue(s.enabled());
    assertTrue(!s.toString().contains("secret-plex-token"));

    for (String[] bad :
        new String[][] {
          {"type", "kodi", "media_servers[0].type"},
          {"url", "ftp://x", "media_servers[0].url"},
          {"token", " ", "media_servers[0].token"},
          {"poll_interval_seconds", "61", "media_servers[0].poll_interval_seconds"}
        }) {
      io.vertx.core.json.JsonObject entry =
          new io.vertx.core.json.JsonObject()
              .put("name", "a")
              .put("type", "jellyfin")
              .put("url", "http://h:8096")
              .put("token", "tok-never-echoed");
      entry.put(
          bad[0],
          bad[0].equals("poll_interval_seconds") ? (Object) Integer.valueOf(bad[1]) : bad[1]);
      io.vertx.core.json.JsonObject c2 =
          TestNode.defaults().put("media_servers", new io.vertx.core.json.JsonArray().add(entry));
      ConfigException e =
          assertThrows(ConfigException.class, () -> ConfigLoader.build(c2, Map.of()));
      assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
      assertTrue(!e.getMessage().contains("tok-never-echoed"), e.getMessage());
    }
  }
}
