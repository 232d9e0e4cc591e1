package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code notifications.channels} is checked before a node starts; a bad entry names its key. */
class ConfigChannelsTest {

  static AppConfig.Notifications with(JsonObject... channels) {
    return new AppConfig.Notifications(true, null, 8, 5, 32, List.of(channels), 60, 4);
  }

  @Test
  void aBadEntryNamesItsIndexAndField() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                NotifierVerticle.configChannels(
                    with(
                        new JsonObject()
                            .put("name", "ok")
                            .put("type", "discord")
                            .put("url", "https://discord.com/api/webhooks/1/a"),
                        new JsonObject()
                            .put("name", "bad")
                            .put("type", "webhook")
                            .put("url", "https://h/x")
                            .put("secret", "short"))));
    assertTrue(e.getMessage().contains("notifications.channels[1].secret"), e.getMessage());
    assertTrue(!e.getMessage().contains("short"), "the secret is not echoed: " + e.getMessage());
  }

  @Test
  void theSameNameTwiceIsRefused() {
    JsonObject c =
        new JsonObject()
            .put("name", "twice")
            .put("type", "discord")
            .put("url", "https://discord.com/api/webhooks/1/a");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> NotifierVerticle.configChannels(with(c, c.copy())));
    assertTrue(e.getMessage().contains("notifications.channels[1].name"), e.getMessage());
  }

  @Test
  void idsAreStableFromTheName() {
    JsonObject c =
        new JsonObject()
            .put("name", "stable")
            .put("type", "discord")
            .put("url", "https://discord.com/api/webhooks/1/a");
    assertEquals(
        NotifierVerticle.configChannels(with(c)).get(0).id(),
        NotifierVerticle.configChannels(with(c.copy())).get(0).id());
    assertEquals(
        NotifierVerticle.configChannelId("stable"),
        NotifierVerticle.configChannels(with(c)).get(0).id());
  }
}
