package io.tracearr.analytics.notify;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns (channel, event, delivery) into exactly what goes on the wire. Pure: no clock, no I/O; each
 * type's shape lives in its own renderer and is compared field by field with the service's
 * documented example in the tests (src/test/resources/notify/README.md names the sources).
 */
public final class Renderers {

  static final String USER_AGENT = "tracearr-analytics-notifications/1";

  private Renderers() {}

  public static Outgoing render(ChannelSpec spec, NotificationEvent event, RenderContext ctx) {
    MessageText text = MessageText.of(event, ctx.dashboardUrl());
    ChannelSettings s = spec.settings();
    if (s instanceof ChannelSettings.Webhook w) return WebhookRenderer.render(w, event, ctx);
    if (s instanceof ChannelSettings.Discord d) return DiscordRenderer.render(d, event, text);
    if (s instanceof ChannelSettings.Slack sl) return SlackRenderer.render(sl, event, text);
    if (s instanceof ChannelSettings.Ntfy n) return NtfyRenderer.render(n, event, text);
    if (s instanceof ChannelSettings.Gotify g) return GotifyRenderer.render(g, event, text);
    if (s instanceof ChannelSettings.Telegram t) return TelegramRenderer.render(t, text);
    if (s instanceof ChannelSettings.Pushover p) return PushoverRenderer.render(p, event, text);
    if (s instanceof ChannelSettings.Email e) return EmailRenderer.render(e, text);
    throw new IllegalStateException("no renderer for " + s.type());
  }

  /** For the HTTP types; fails for e-mail, which is a mail, not a request. */
  public static OutgoingRequest request(
      ChannelSpec spec, NotificationEvent event, RenderContext ctx) {
    if (render(spec, event, ctx) instanceof OutgoingRequest r) return r;
    throw new IllegalArgumentException(
        spec.type().wireName() + " channels send mail, not HTTP requests");
  }

  public static OutgoingMail mail(ChannelSpec spec, NotificationEvent event, RenderContext ctx) {
    if (render(spec, event, ctx) instanceof OutgoingMail m) return m;
    throw new IllegalArgumentException(
        spec.type().wireName() + " channels send HTTP requests, not mail");
  }

  static Map<String, String> baseHeaders() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("User-Agent", USER_AGENT);
    return h;
  }

  /** Cut to a service's documented limit, marking the cut so a reader knows text is missing. */
  static String truncate(String s, int max) {
    if (s == null || s.length() <= max) return s;
    return s.substring(0, Math.max(0, max - 1)) + "…";
  }
}
