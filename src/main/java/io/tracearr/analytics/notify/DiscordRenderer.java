package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Discord "Execute Webhook" with one rich embed. Limits from Discord's embed-limits table: title
 * 256, description 4096, 25 fields, field name 256 / value 1024, footer 2048, content 2000.
 */
final class DiscordRenderer {

  static final int RED = 0xE74C3C;
  static final int ORANGE = 0xE67E22;
  static final int BLUE = 0x3498DB;
  static final int GREEN = 0x2ECC71;
  static final int GREY = 0x95A5A6;

  private DiscordRenderer() {}

  static OutgoingRequest render(
      ChannelSettings.Discord d, NotificationEvent event, MessageText text) {
    JsonObject embed =
        new JsonObject()
            .put("title", Renderers.truncate(text.title(), 256))
            .put("description", Renderers.truncate(description(text), 4096))
            .put("color", colour(event))
            .put("fields", fields(event, text))
            .put("timestamp", event.occurredAt().toString())
            .put(
                "footer",
                new JsonObject().put("text", "tracearr-analytics · " + event.type().wireName()));
    if (text.link() != null) embed.put("url", text.link());
    JsonObject body =
        new JsonObject()
            .put("content", Renderers.truncate(text.title(), 2000))
            .put("embeds", new JsonArray().add(embed))
            // names come from media-server accounts: never let one turn into an @everyone ping
            .put("allowed_mentions", new JsonObject().put("parse", new JsonArray()));
    return OutgoingRequest.postJson(withWait(d.url()), Renderers.baseHeaders(), body);
  }

  /**
   * {@code wait=true}: Discord answers only after the message is saved and reports a failure to
   * save as an error; without it "a message that is not saved does not return an error", which
   * would count as delivered.
   */
  static String withWait(String url) {
    return url + (url.contains("?") ? "&" : "?") + "wait=true";
  }

  static int colour(NotificationEvent event) {
    switch (event.type()) {
      case ALERT_DISMISSED:
      case TEST:
        return GREY;
      case MEDIA_SERVER_DOWN:
      case SESSION_TERMINATED:
        return RED;
      case MEDIA_SERVER_UP:
        return GREEN;
      default:
        if (event.severity() == null) return BLUE;
        return switch (event.severity()) {
          case HIGH -> RED;
          case MEDIUM -> ORANGE;
          case LOW -> BLUE;
        };
    }
  }

  private static String description(MessageText text) {
    return text.why() == null ? text.what() : text.what() + "\n" + text.why();
  }

  private static JsonArray fields(NotificationEvent event, MessageText text) {
    JsonArray fields = new JsonArray();
    if (text.who() != null) fields.add(field("User", text.who()));
    if (event.type().isAlert()) {
      JsonObject ev = AlertWords.evidence(event.data());
      List<String> devices = AlertWords.devices(ev);
      if (!devices.isEmpty()) fields.add(field("Devices", String.join(", ", devices)));
      List<String> places = AlertWords.places(ev);
      if (!places.isEmpty()) fields.add(field("Places", String.join(" ↔ ", places)));
      String distance = AlertWords.distance(ev);
      if (distance != null) fields.add(field("Distance", distance));
      List<String> ips = AlertWords.ipAddresses(ev);
      if (!ips.isEmpty()) fields.add(field("Addresses", String.join(", ", ips)));
      if (event.severity() != null) fields.add(field("Severity", event.severity().wireName()));
    } else if (text.where() != null) {
      fields.add(field("Where", text.where()));
    }
    return fields;
  }

  private static JsonObject field(String name, String value) {
    return new JsonObject()
        .put("name", name)
        .put("value", Renderers.truncate(value, 1024))
        .put("inline", true);
  }
}
