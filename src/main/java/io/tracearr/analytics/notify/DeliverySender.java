package io.tracearr.analytics.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes one attempt: an HTTP request with WebClient (10 s for the whole exchange, redirects not
 * followed) or a mail through vertx-mail-client (asynchronous SMTP; the loop never waits on it).
 * Every outcome — answer, timeout, reset, refused, not-HTTP — comes back as an {@link Sent}, never
 * as a failed future, and the words in it never carry a URL path or header (Telegram's token is in
 * its path, others' in headers).
 */
final class DeliverySender {

  static final int TIMEOUT_MS = 10_000;
  private static final int EXCERPT_CHARS = 300;

  /**
   * An attempt's outcome, plus what a person reading the test reply or the log needs: a short body
   * excerpt.
   */
  record Sent(
      AttemptResult result,
      String bodyExcerpt,
      String rateLimitRemaining,
      String rateLimitResetAfter) {}

  private final Vertx vertx;
  private final WebClient http;

  /** one SMTP client per channel, rebuilt when its settings change */
  private final Map<UUID, MailEntry> mail = new HashMap<>();

  private record MailEntry(ChannelSettings.Email settings, MailClient client) {}

  DeliverySender(Vertx vertx) {
    this.vertx = vertx;
    this.http =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setFollowRedirects(false)
                .setConnectTimeout(TIMEOUT_MS)
                .setUserAgentEnabled(false)
                .setKeepAlive(true));
  }

  Future<Sent> send(ChannelSpec spec, Outgoing outgoing, String deliveryId) {
    if (outgoing instanceof OutgoingRequest r) return sendHttp(r);
    return sendMail(spec, (OutgoingMail) outgoing, deliveryId);
  }

  private Future<Sent> sendHttp(OutgoingRequest r) {
    var req = http.requestAbs(HttpMethod.valueOf(r.method()), r.url()).timeout(TIMEOUT_MS);
    r.headers().forEach(req::putHeader);
    return req.sendBuffer(Buffer.buffer(r.body()))
        .map(
            resp ->
                new Sent(
                    AttemptResult.response(resp.statusCode(), resp.getHeader("Retry-After")),
                        excerpt(resp),
                    resp.getHeader("X-RateLimit-Remaining"),
                        resp.getHeader("X-RateLimit-Reset-After")))
        .otherwise(
            err ->
                new Sent(AttemptResult.transportFailure(describe(err, r.url())), null, null, null));
  }

  private Future<Sent> sendMail(ChannelSpec spec, OutgoingMail m, String deliveryId) {
    ChannelSettings.Email settings = (ChannelSettings.Email) spec.settings();
    MailClient client = mailClient(spec.id(), settings);
    MailMessage message =
        new MailMessage()
            .setFrom(m.from())
            .setTo(m.to())
            .setSubject(m.subject())
            .setText(m.text())
            .setHtml(m.html());
    // the same header as the webhook's, so a mail filter can drop repeated attempts of one delivery
    message.addHeader("X-Analytics-Delivery", deliveryId);
    return client
        .sendMail(message)
        .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(
            res ->
                new Sent(
                    AttemptResult.mailSent(), "accepted for " + res.getRecipients(), null, null))
        .otherwise(
            err -> new Sent(AttemptResult.transportFailure(describe(err, null)), null, null, null));
  }

  private MailClient mailClient(UUID channelId, ChannelSettings.Email s) {
    MailEntry entry = mail.get(channelId);
    if (entry != null && entry.settings().equals(s)) return entry.client();
    if (entry != null) entry.client().close();
    MailConfig cfg =
        new MailConfig()
            .setHostname(s.smtpHost())
            .setPort(s.smtpPort())
            .setStarttls(
                switch (s.starttls()) {
                  case DISABLED -> StartTLSOptions.DISABLED;
                  case OPTIONAL -> StartTLSOptions.OPTIONAL;
                  case REQUIRED -> StartTLSOptions.REQUIRED;
                })
            .setLogin(s.username() == null ? LoginOption.DISABLED : LoginOption.REQUIRED)
            .setUsername(s.username())
            .setPassword(s.password())
            .setKeepAlive(false);
    cfg.setConnectTimeout(TIMEOUT_MS);
    MailClient client = MailClient.create(vertx, cfg);
    mail.put(channelId, new MailEntry(s, client));
    return client;
  }

  void forget(UUID channelId) {
    MailEntry entry = mail.remove(channelId);
    if (entry != null) entry.client().close();
  }

  Future<Void> close() {
    mail.values().forEach(e -> e.client().close());
    mail.clear();
    http.close();
    return Future.succeededFuture();
  }

  private static String excerpt(HttpResponse<Buffer> resp) {
    Buffer body = resp.body();
    if (body == null || body.length() == 0) return "";
    String text =
        body.getString(
            0, Math.min(body.length(), EXCERPT_CHARS * 4), StandardCharsets.UTF_8.name());
    return text.length() > EXCERPT_CHARS ? text.substring(0, EXCERPT_CHARS) + "…" : text;
  }

  /**
   * Transport failures in words that carry no credential: Vert.x's timeout message names the
   * request path (which holds Telegram's bot token), so the path is cut out of any message.
   */
  static String describe(Throwable err, String url) {
    if (err instanceof TimeoutException) {
      return "timeout after " + TIMEOUT_MS / 1000 + " s";
    }
    String name = err.getClass().getSimpleName();
    String msg = err.getMessage() == null ? "" : err.getMessage();
    if (msg.contains("timeout") || msg.contains("Timeout"))
      return "timeout after " + TIMEOUT_MS / 1000 + " s";
    if (url != null) {
      try {
        String path = URI.create(url).getRawPath();
        if (path != null && path.length() > 1) msg = msg.replace(path, "/…");
      } catch (IllegalArgumentException ignored) {
        // keep msg
      }
    }
    return (name + (msg.isEmpty() ? "" : ": " + msg)).lines().findFirst().orElse(name);
  }
}
