package io.tracearr.analytics.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Pushover {@code POST /1/messages.json}, form-encoded as in Pushover's own examples. Limits from
 * its API page: message 1024 characters, title 250, url 512, url_title 100.
 */
final class PushoverRenderer {

  private PushoverRenderer() {}

  static OutgoingRequest render(
      ChannelSettings.Pushover p, NotificationEvent event, MessageText text) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", p.appToken());
    form.put("user", p.userKey());
    form.put("title", Renderers.truncate(text.title(), 250));
    form.put("message", Renderers.truncate(String.join("\n", messageLines(text)), 1024));
    form.put("priority", Integer.toString(priority(event)));
    form.put("timestamp", Long.toString(event.occurredAt().getEpochSecond()));
    if (text.link() != null && text.link().length() <= 512) {
      form.put("url", text.link());
      form.put("url_title", "Open dashboard");
    }
    Map<String, String> headers = Renderers.baseHeaders();
    headers.put("Content-Type", "application/x-www-form-urlencoded");
    return new OutgoingRequest(
        "POST",
        p.apiBaseUrl() + "/1/messages.json",
        headers,
        encode(form).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * -1 quiet, 0 normal, 1 high (bypasses the user's own quiet hours). Never 2 (emergency): that
   * needs retry/expire and an acknowledgement flow this channel does not run.
   */
  static int priority(NotificationEvent event) {
    if (event.type() == EventType.MEDIA_SERVER_DOWN) return 1;
    if (event.severity() == null || event.type() == EventType.ALERT_DISMISSED) return 0;
    return switch (event.severity()) {
      case HIGH -> 1;
      case MEDIUM -> 0;
      case LOW -> -1;
    };
  }

  static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static java.util.List<String> messageLines(MessageText text) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    lines.add(text.what());
    lines.addAll(text.labelledLines());
    return lines;
  }
}
