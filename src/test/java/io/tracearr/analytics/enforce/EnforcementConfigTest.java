package io.tracearr.analytics.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigException;
import io.tracearr.analytics.config.ConfigLoader;
import io.tracearr.analytics.config.RuleAction;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The enforcement keys are validated once at boot and an error names the key; and the pure target
 * choice of a rule action, as a table.
 */
class EnforcementConfigTest {

  private static JsonObject withAction(String rule, JsonObject action) {
    JsonObject cfg = TestNode.defaults();
    cfg.getJsonObject("enforcement").getJsonObject("rule_actions").put(rule, action);
    return cfg;
  }

  @Test
  void defaultsAreNoActionAndAConfiguredActionIsRead() {
    AppConfig c = ConfigLoader.build(TestNode.defaults(), Map.of());
    assertEquals("none", c.enforcement().ruleActions().get("geo_impossible").type());
    AppConfig d =
        ConfigLoader.build(
            withAction(
                "geo_impossible",
                new JsonObject()
                    .put("type", "terminate")
                    .put("target", "all_but_oldest")
                    .put("delay_seconds", 30)
                    .put("cooldown_minutes", 5)
                    .put("message", "Two places at once")
                    .put("only_if_trust_below", 50)),
            Map.of());
    assertEquals(
        new RuleAction("terminate", "all_but_oldest", 30, 5, "Two places at once", 50),
        d.enforcement().ruleActions().get("geo_impossible"));
  }

  @Test
  void aWrongFieldIsNamedWithItsKey() {
    for (var c :
        List.of(
            List.of("target", "everyone", "enforcement.rule_actions.concurrent_streams.target"),
            List.of("type", "ban", "enforcement.rule_actions.concurrent_streams.type"),
            List.of(
                "delay_seconds", -1, "enforcement.rule_actions.concurrent_streams.delay_seconds"),
            List.of(
                "cooldown_minutes",
                99_999,
                "enforcement.rule_actions.concurrent_streams.cooldown_minutes"),
            List.of(
                "message", "m".repeat(201), "enforcement.rule_actions.concurrent_streams.message"),
            List.of("colour", "red", "enforcement.rule_actions.concurrent_streams.colour"))) {
      JsonObject action = new JsonObject().put((String) c.get(0), c.get(1));
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> ConfigLoader.build(withAction("concurrent_streams", action), Map.of()));
      assertTrue(e.getMessage().contains((String) c.get(2)), e.getMessage());
    }
    JsonObject cfg = TestNode.defaults();
    cfg.getJsonObject("enforcement").put("poll_ms", 0);
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.build(cfg, Map.of()));
    assertTrue(e.getMessage().contains("enforcement.poll_ms"), e.getMessage());
  }

  @Test
  void targetsPickFromTheViolationsSessionsByStart() {
    JsonArray active = new JsonArray(List.of("a", "b", "c", "d")); // by start, oldest first
    JsonArray finding = new JsonArray(List.of("d", "b", "c"));
    assertEquals(
        List.of("b", "c", "d"), EnforcementVerticle.targets("triggering", finding, active));
    assertEquals(List.of("d"), EnforcementVerticle.targets("newest", finding, active));
    assertEquals(List.of("b"), EnforcementVerticle.targets("oldest", finding, active));
    assertEquals(List.of("c", "d"), EnforcementVerticle.targets("all_but_oldest", finding, active));
    assertEquals(List.of("a", "b", "c", "d"), EnforcementVerticle.targets("all", finding, active));
    // a finding without sessions (device spike) stands for the user's active sessions
    assertEquals(List.of("d"), EnforcementVerticle.targets("newest", new JsonArray(), active));
    assertEquals(
        List.of(),
        EnforcementVerticle.targets("all_but_oldest", new JsonArray(List.of("b")), active));
  }
}
