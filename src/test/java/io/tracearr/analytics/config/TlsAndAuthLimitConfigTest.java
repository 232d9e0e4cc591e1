package io.tracearr.analytics.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** http.tls.* and auth.failed_auth_per_minute: defaults, and errors that name the key. */
class TlsAndAuthLimitConfigTest {

  private static JsonObject cfg() {
    JsonObject c = TestNode.defaults();
    c.put("data_dir", System.getProperty("java.io.tmpdir"));
    return c;
  }

  @Test
  void defaultsArePlainHttpAndTwentyFailuresAMinute() {
    AppConfig c = ConfigLoader.build(cfg(), Map.of());
    assertNull(c.http().tlsCertPath());
    assertEquals(false, c.http().tls());
    assertEquals(20, c.auth().failedAuthPerMinute());
  }

  @Test
  void certWithoutKeyNamesTheMissingKey() throws Exception {
    Path cert = Files.createTempFile("cert", ".pem");
    JsonObject c = cfg();
    c.getJsonObject("http")
        .put("tls", new JsonObject().put("cert_path", cert.toString()).put("key_path", ""));
    var e = assertThrows(ConfigException.class, () -> ConfigLoader.build(c, Map.of()));
    assertTrue(e.getMessage().contains("http.tls.key_path"), e.getMessage());
  }

  @Test
  void anUnreadableFileNamesItsKey() throws Exception {
    Path key = Files.createTempFile("key", ".pem");
    JsonObject c = cfg();
    c.getJsonObject("http")
        .put(
            "tls",
            new JsonObject()
                .put("cert_path", "/nonexistent/cert.pem")
                .put("key_path", key.toString()));
    var e = assertThrows(ConfigException.class, () -> ConfigLoader.build(c, Map.of()));
    assertTrue(e.getMessage().contains("http.tls.cert_path"), e.getMessage());
  }

  @Test
  void theLimitIsValidatedAndZeroTurnsItOff() {
    JsonObject c = cfg();
    c.getJsonObject("auth").put("failed_auth_per_minute", -1);
    var e = assertThrows(ConfigException.class, () -> ConfigLoader.build(c, Map.of()));
    assertTrue(e.getMessage().contains("auth.failed_auth_per_minute"), e.getMessage());
    c.getJsonObject("auth").put("failed_auth_per_minute", 0);
    assertEquals(0, ConfigLoader.build(c, Map.of()).auth().failedAuthPerMinute());
  }
}
