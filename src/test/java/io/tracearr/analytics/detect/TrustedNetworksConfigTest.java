package io.tracearr.analytics.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.ConfigException;
import io.tracearr.analytics.config.ConfigLoader;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A trusted network must be a CIDR the never-locate policy can use, or the node refuses to start.
 */
class TrustedNetworksConfigTest {

  private static JsonObject withTrusted(String cidr) {
    JsonObject cfg = TestNode.defaults();
    cfg.getJsonObject("analytics")
        .getJsonObject("sharing_detection")
        .put("trusted_networks", new JsonArray().add(cidr));
    return cfg;
  }

  @ParameterizedTest(name = "{0} is accepted")
  @ValueSource(
      strings = {"203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32", "::ffff:198.51.100.0/120"})
  void validNetworksAreAccepted(String cidr) {
    assertEquals(
        List.of(cidr),
        ConfigLoader.build(withTrusted(cidr), Map.of())
            .analytics()
            .sharingDetection()
            .trustedNetworks());
  }

  @ParameterizedTest(name = "{0} is refused")
  @ValueSource(strings = {"300.1.1.1/8", "10.0.0.0/33", "2001:db8::/129", "1.2.3/24", "home"})
  void invalidNetworksAreRefusedNamingTheKey(String cidr) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.build(withTrusted(cidr), Map.of()));
    assertTrue(
        e.getMessage().contains("analytics.sharing_detection.trusted_networks = \"" + cidr + "\""),
        e.getMessage());
  }
}
