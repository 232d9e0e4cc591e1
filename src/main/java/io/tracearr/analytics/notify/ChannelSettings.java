package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What each channel type needs to reach its receiver. Fields sit at the top level of the channel's
 * JSON next to the common ones ({@code {"type":"webhook","url":...,"secret":...}}).
 *
 * <p>{@link #publicJson} never carries a secret: it says {@code <field>_set: true} instead, and
 * shows only the host of URLs that embed a token in their path (Discord and Slack webhook URLs are
 * credentials). {@link #storedJson} carries everything and is for the repository only.
 */
public sealed interface ChannelSettings {

  ChannelType type();

  JsonObject publicJson();

  JsonObject storedJson();

  static ChannelSettings read(ChannelType type, FieldReader in) {
    return switch (type) {
      case WEBHOOK -> Webhook.read(in);
      case DISCORD -> Discord.read(in);
      case SLACK -> Slack.read(in);
      case NTFY -> Ntfy.read(in);
      case GOTIFY -> Gotify.read(in);
      case TELEGRAM -> Telegram.read(in);
      case PUSHOVER -> Pushover.read(in);
      case EMAIL -> Email.read(in);
    };
  }

  /** Our own JSON, signed with HMAC-SHA256 (see {@link WebhookSignature}). */
  record Webhook(String url, String secret) implements ChannelSettings {
    static Webhook read(FieldReader in) {
      String url = in.httpUrl("url", null);
      String secret = in.requiredString("secret");
      if (secret != null && secret.length() < 16) {
        // a short secret is guessable offline from one captured signature
        in.error("secret", "must be at least 16 characters");
      }
      return new Webhook(url, secret);
    }

    public ChannelType type() {
      return ChannelType.WEBHOOK;
    }

    public JsonObject publicJson() {
      return new JsonObject().put("url", url).put("secret_set", secret != null);
    }

    public JsonObject storedJson() {
      return new JsonObject().put("url", url).put("secret", secret);
    }
  }

  /**
   * Discord "Execute Webhook": the URL is {@code .../api/webhooks/{id}/{token}}, a credential in
   * itself.
   */
  record Discord(String url) implements ChannelSettings {
    static Discord read(FieldReader in) {
      return new Discord(in.httpUrl("url", null));
    }

    public ChannelType type() {
      return ChannelType.DISCORD;
    }

    public JsonObject publicJson() {
      return new JsonObject().put("url", redactPath(url)).put("url_set", url != null);
    }

    public JsonObject storedJson() {
      return new JsonObject().put("url", url);
    }
  }

  /**
   * A Slack incoming-webhook URL ({@code https://hooks.slack.com/services/T.../B.../...}), also a
   * credential.
   */
  record Slack(String url) implements ChannelSettings {
    static Slack read(FieldReader in) {
      return new Slack(in.httpUrl("url", null));
    }

    public ChannelType type() {
      return ChannelType.SLACK;
    }

    public JsonObject publicJson() {
      return new JsonObject().put("url", redactPath(url)).put("url_set", url != null);
    }

    public JsonObject storedJson() {
      return new JsonObject().put("url", url);
    }
  }

  /**
   * ntfy: POST the text to {@code <server_url>/<topic>}; the token, when set, goes as a Bearer
   * token.
   */
  record Ntfy(String serverUrl, String topic, String token) implements ChannelSettings {
    static final String PUBLIC_SERVER = "https://ntfy.sh";
    // ntfy's documented topic rule: letters, digits, '_' and '-', up to 64 characters
    private static final Pattern TOPIC = Pattern.compile("[-_A-Za-z0-9]{1,64}");

    static Ntfy read(FieldReader in) {
      String server = in.httpUrl("server_url", PUBLIC_SERVER);
      String topic = in.requiredString("topic");
      if (topic != null && !TOPIC.matcher(topic).matches()) {
        in.error("topic", "must be 1-64 letters, digits, '_' or '-'");
      }
      return new Ntfy(server, topic, in.optionalString("token", null));
    }

    public ChannelType type() {
      return ChannelType.NTFY;
    }

    public JsonObject publicJson() {
      return new JsonObject()
          .put("server_url", serverUrl)
          .put("topic", topic)
          .put("token_set", token != null);
    }

    public JsonObject storedJson() {
      return new JsonObject().put("server_url", serverUrl).put("topic", topic).put("token", token);
    }
  }

  /** Gotify: POST {@code <server_url>/message} with the application token. */
  record Gotify(String serverUrl, String appToken) implements ChannelSettings {
    static Gotify read(FieldReader in) {
      return new Gotify(in.httpUrl("server_url", null), in.requiredString("app_token"));
    }

    public ChannelType type() {
      return ChannelType.GOTIFY;
    }

    public JsonObject publicJson() {
      return new JsonObject().put("server_url", serverUrl).put("app_token_set", appToken != null);
    }

    public JsonObject storedJson() {
      return new JsonObject().put("server_url", serverUrl).put("app_token", appToken);
    }
  }

  /**
   * Telegram Bot API; the base URL is configurable so tests (and self-hosted Bot API servers) can
   * be used.
   */
  record Telegram(String botToken, String chatId, String apiBaseUrl) implements ChannelSettings {
    static final String PUBLIC_API = "https://api.telegram.org";

    static Telegram read(FieldReader in) {
      String token = in.requiredString("bot_token");
      if (token != null && (token.contains("/") || token.contains("?") || token.contains("#"))) {
        // the token becomes part of the request path
        in.error("bot_token", "must not contain '/', '?' or '#'");
      }
      return new Telegram(
          token, in.requiredStringOrInteger("chat_id"), in.httpUrl("api_base_url", PUBLIC_API));
    }

    public ChannelType type() {
      return ChannelType.TELEGRAM;
    }

    public JsonObject publicJson() {
      return new JsonObject()
          .put("chat_id", chatId)
          .put("api_base_url", apiBaseUrl)
          .put("bot_token_set", botToken != null);
    }

    public JsonObject storedJson() {
      return new JsonObject()
          .put("bot_token", botToken)
          .put("chat_id", chatId)
          .put("api_base_url", apiBaseUrl);
    }
  }

  /** Pushover Message API; base URL configurable as for Telegram. */
  record Pushover(String userKey, String appToken, String apiBaseUrl) implements ChannelSettings {
    static final String PUBLIC_API = "https://api.pushover.net";

    static Pushover read(FieldReader in) {
      return new Pushover(
          in.requiredString("user_key"),
          in.requiredString("app_token"),
          in.httpUrl("api_base_url", PUBLIC_API));
    }

    public ChannelType type() {
      return ChannelType.PUSHOVER;
    }

    public JsonObject publicJson() {
      return new JsonObject()
          .put("api_base_url", apiBaseUrl)
          .put("user_key_set", userKey != null)
          .put("app_token_set", appToken != null);
    }

    public JsonObject storedJson() {
      return new JsonObject()
          .put("user_key", userKey)
          .put("app_token", appToken)
          .put("api_base_url", apiBaseUrl);
    }
  }

  /**
   * SMTP, sent with vertx-mail-client; {@code starttls} takes that client's words: disabled,
   * optional, required.
   */
  record Email(
      String smtpHost,
      int smtpPort,
      StartTls starttls,
      String username,
      String password,
      String from,
      List<String> to)
      implements ChannelSettings {

    public enum StartTls {
      DISABLED,
      OPTIONAL,
      REQUIRED
    }

    // deliberately loose: the SMTP server is the judge; this only catches obvious slips ("admin",
    // "a@")
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+");

    static Email read(FieldReader in) {
      String host = in.requiredString("smtp_host");
      Integer port = in.integer("smtp_port", 587, 1, 65535);
      StartTls starttls = starttls(in);
      String user = in.optionalString("username", null);
      String password = in.optionalString("password", null);
      if (password != null && user == null)
        in.error("username", "is required when a password is set");
      String from = in.requiredString("from");
      if (from != null && !ADDRESS.matcher(from).matches())
        in.error("from", "must be an e-mail address");
      List<String> to = in.stringList("to");
      if (to == null && !in.has("to")) {
        in.error("to", "is required");
      } else if (to != null && to.isEmpty()) {
        in.error("to", "must name at least one address");
      } else if (to != null) {
        for (int i = 0; i < to.size(); i++) {
          if (!ADDRESS.matcher(to.get(i)).matches())
            in.error("to[" + i + "]", "must be an e-mail address");
        }
      }
      return new Email(
          host,
          port == null ? 587 : port,
          starttls,
          user,
          password,
          from,
          to == null ? List.of() : List.copyOf(to));
    }

    private static StartTls starttls(FieldReader in) {
      if (!in.has("starttls")) return StartTls.REQUIRED;
      String text = in.optionalString("starttls", "required");
      if (text == null) return StartTls.REQUIRED;
      try {
        return StartTls.valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        in.error("starttls", "must be disabled, optional or required");
        return StartTls.REQUIRED;
      }
    }

    public ChannelType type() {
      return ChannelType.EMAIL;
    }

    public JsonObject publicJson() {
      return common().put("password_set", password != null);
    }

    public JsonObject storedJson() {
      return common().put("password", password);
    }

    private JsonObject common() {
      return new JsonObject()
          .put("smtp_host", smtpHost)
          .put("smtp_port", smtpPort)
          .put("starttls", starttls.name().toLowerCase(Locale.ROOT))
          .put("username", username)
          .put("from", from)
          .put("to", new JsonArray(to));
    }
  }

  /**
   * {@code https://discord.com/api/webhooks/1/abc} → {@code https://discord.com/…}: enough to
   * recognise, too little to use.
   */
  static String redactPath(String url) {
    if (url == null) return null;
    URI uri = URI.create(url);
    String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
    return uri.getScheme() + "://" + uri.getHost() + port + "/…";
  }
}
