package io.tracearr.analytics.notify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * ntfy: the body is the message, the rest travels in headers ({@code Title}, {@code Priority},
 * {@code Tags}, {@code Click}, {@code Authorization: Bearer}). ntfy treats bodies over 4096 bytes
 * as attachments, so the body is kept under that.
 */
final class NtfyRenderer {

  static final int MAX_BODY_BYTES = 4096;

  private NtfyRenderer() {}

  static OutgoingRequest render(ChannelSettings.Ntfy n, NotificationEvent event, MessageText text) {
    Map<String, String> headers = Renderers.baseHeaders();
    headers.put("Content-Type", "text/plain; charset=utf-8");
    headers.put("Title", headerValue(text.title()));
    headers.put("Priority", priority(event));
    headers.put("Tags", String.join(",", tags(event)));
    if (text.link() != null) headers.put("Click", text.link());
    if (n.token() != null) headers.put("Authorization", "Bearer " + n.token());
    List<String> lines = new ArrayList<>();
    lines.add(text.what());
    lines.addAll(text.labelledLines());
    return new OutgoingRequest(
        "POST", n.serverUrl() + "/" + n.topic(), headers, fit(String.join("\n", lines)));
  }

  /** ntfy's names: urgent (5), high (4), default (3), low (2), min (1). */
  static String priority(NotificationEvent event) {
    if (event.type() == EventType.MEDIA_SERVER_DOWN) return "high";
    if (event.severity() == null || event.type() == EventType.ALERT_DISMISSED) return "default";
    return switch (event.severity()) {
      case HIGH -> "urgent";
      case MEDIUM -> "high";
      case LOW -> "default";
    };
  }

  /** Emoji short codes ntfy turns into emoji, then the alert type as a plain tag. */
  static List<String> tags(NotificationEvent event) {
    List<String> tags = new ArrayList<>();
    switch (event.type()) {
      case ALERT_RAISED, ALERT_UPDATED ->
          tags.add(event.severity() == Severity.HIGH ? "rotating_light" : "warning");
      case ALERT_DISMISSED -> tags.add("heavy_check_mark");
      case MEDIA_SERVER_DOWN -> tags.add("red_circle");
      case MEDIA_SERVER_UP -> tags.add("green_circle");
      case TEST -> tags.add("test_tube");
      default -> tags.add("tv");
    }
    String alertType = event.data().getValue("alert_type") instanceof String s ? s : null;
    tags.add(alertType != null ? alertType : event.type().wireName());
    return tags;
  }

  /**
   * Header values must be ASCII on many HTTP stacks; ntfy documents RFC 2047 encoded words for
   * anything else (names with accents, arrows).
   */
  static String headerValue(String s) {
    if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) return s;
    return "=?UTF-8?B?"
        + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8))
        + "?=";
  }

  private static byte[] fit(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_BODY_BYTES) return bytes;
    String cut = body;
    while (cut.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES - 3)
      cut = cut.substring(0, cut.length() - 64);
    return (cut + "…").getBytes(StandardCharsets.UTF_8);
  }
}
