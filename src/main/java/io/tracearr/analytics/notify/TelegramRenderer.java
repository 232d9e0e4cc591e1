package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * Telegram Bot API {@code sendMessage}. Plain text (no {@code parse_mode}): names and places come
 * from outside, and MarkdownV2/HTML would need every one of them escaped or the API answers 400.
 * Link previews are off ({@code link_preview_options.is_disabled}, which replaced {@code
 * disable_web_page_preview} in Bot API 7.0) so the dashboard link does not unfurl into a card. Text
 * is limited to 4096 characters.
 */
final class TelegramRenderer {

  private static final Pattern INTEGER = Pattern.compile("-?\\d{1,19}");

  private TelegramRenderer() {}

  static OutgoingRequest render(ChannelSettings.Telegram t, MessageText text) {
    JsonObject body =
        new JsonObject()
            .put("chat_id", chatId(t.chatId()))
            .put("text", Renderers.truncate(text.plainBody(), 4096))
            .put("link_preview_options", new JsonObject().put("is_disabled", true));
    return OutgoingRequest.postJson(
        t.apiBaseUrl() + "/bot" + t.botToken() + "/sendMessage", Renderers.baseHeaders(), body);
  }

  /** "Integer or String": numeric ids go as numbers, {@code @channelusername} as text. */
  static Object chatId(String chatId) {
    if (INTEGER.matcher(chatId).matches()) {
      try {
        return Long.parseLong(chatId);
      } catch (NumberFormatException e) {
        return chatId;
      }
    }
    return chatId;
  }
}
