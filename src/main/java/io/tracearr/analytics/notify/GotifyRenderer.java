package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Gotify {@code POST /message}. The token goes in {@code X-Gotify-Key} rather than {@code ?token=}
 * so it does not land in proxies' access logs. Extras (JSON bodies only): plain-text display, and
 * the dashboard on click.
 */
final class GotifyRenderer {

  private GotifyRenderer() {}

  static OutgoingRequest render(
      ChannelSettings.Gotify g, NotificationEvent event, MessageText text) {
    JsonObject extras =
        new JsonObject()
            // text/plain: names and places come from outside; markdown would let them inject links
            // and images
            .put("client::display", new JsonObject().put("contentType", "text/plain"));
    if (text.link() != null) {
      extras.put(
          "client::notification",
          new JsonObject().put("click", new JsonObject().put("url", text.link())));
    }
    JsonObject body =
        new JsonObject()
            .put("title", text.title())
            .put("message", text.plainBody())
            .put("priority", priority(event))
            .put("extras", extras);
    Map<String, String> headers = Renderers.baseHeaders();
    headers.put("X-Gotify-Key", g.appToken());
    return OutgoingRequest.postJson(g.serverUrl() + "/message", headers, body);
  }

  /** Gotify's 0-10 scale; the Android client makes a sound from 4 and is most insistent from 8. */
  static int priority(NotificationEvent event) {
    if (event.type() == EventType.MEDIA_SERVER_DOWN) return 8;
    if (event.severity() == null || event.type() == EventType.ALERT_DISMISSED) return 5;
    return switch (event.severity()) {
      case HIGH -> 8;
      case MEDIUM -> 5;
      case LOW -> 2;
    };
  }
}
