package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Slack incoming webhook: {@code text} (the fallback Slack shows in notifications and screen
 * readers) plus Block Kit blocks — a mrkdwn section, a section of fields, and a context line with
 * the dashboard link. Limits: section text 3000, at most 10 fields of 2000 each, 10 context
 * elements.
 */
final class SlackRenderer {

  private SlackRenderer() {}

  static OutgoingRequest render(
      ChannelSettings.Slack s, NotificationEvent event, MessageText text) {
    JsonArray blocks = new JsonArray();
    String headline =
        "*" + escape(text.title()) + "*" + (text.why() == null ? "" : "\n" + escape(text.why()));
    blocks.add(section(Renderers.truncate(headline, 3000)));
    List<JsonObject> fields = fields(event, text);
    if (!fields.isEmpty()) {
      blocks.add(
          new JsonObject()
              .put("type", "section")
              .put("fields", new JsonArray(fields.subList(0, Math.min(10, fields.size())))));
    }
    blocks.add(
        new JsonObject()
            .put("type", "context")
            .put("elements", new JsonArray().add(mrkdwn(context(event, text)))));
    JsonObject body = new JsonObject().put("text", fallback(text)).put("blocks", blocks);
    return OutgoingRequest.postJson(s.url(), Renderers.baseHeaders(), body);
  }

  /**
   * Slack's formatting rules: {@code &}, {@code <} and {@code >} are control characters in message
   * text and must be sent as entities, or a user name like "a<b" would break the message.
   */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String fallback(MessageText text) {
    return escape(text.title()) + (text.why() == null ? "" : ": " + escape(text.why()));
  }

  private static List<JsonObject> fields(NotificationEvent event, MessageText text) {
    List<JsonObject> out = new ArrayList<>();
    if (text.who() != null) out.add(field("User", text.who()));
    if (event.type().isAlert()) {
      JsonObject ev = AlertWords.evidence(event.data());
      List<String> devices = AlertWords.devices(ev);
      if (!devices.isEmpty()) out.add(field("Devices", String.join(", ", devices)));
      List<String> places = AlertWords.places(ev);
      if (!places.isEmpty()) out.add(field("Places", String.join(" ↔ ", places)));
      String distance = AlertWords.distance(ev);
      if (distance != null) out.add(field("Distance", distance));
    } else if (text.where() != null) {
      out.add(field("Where", text.where()));
    }
    return out;
  }

  private static String context(NotificationEvent event, MessageText text) {
    StringBuilder sb = new StringBuilder();
    if (event.severity() != null)
      sb.append("Severity: ").append(event.severity().wireName()).append(" · ");
    sb.append(event.type().wireName()).append(" · ").append(event.occurredAt());
    if (text.link() != null) sb.append(" · <").append(text.link()).append("|Open dashboard>");
    return sb.toString();
  }

  private static JsonObject field(String label, String value) {
    return mrkdwn(Renderers.truncate("*" + label + "*\n" + escape(value), 2000));
  }

  private static JsonObject section(String mrkdwn) {
    return new JsonObject().put("type", "section").put("text", mrkdwn(mrkdwn));
  }

  private static JsonObject mrkdwn(String text) {
    return new JsonObject().put("type", "mrkdwn").put("text", text);
  }
}
