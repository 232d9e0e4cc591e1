package io.tracearr.analytics.media;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The calls the connector makes to a media server, with each server type's authentication (see
 * src/test/resources/media/README.md): Jellyfin {@code Authorization: MediaBrowser Token="…"}
 * (current Jellyfin turned the legacy {@code X-Emby-Token} off), Emby {@code X-Emby-Token}, Plex
 * {@code X-Plex-Token} with {@code Accept: application/json}. Every call has the same timeout; the
 * token travels in headers only (the Emby socket, which documents {@code api_key} in its query, is
 * the one exception), never in a message.
 */
final class MediaApi {

  static final long TIMEOUT_MS = 5_000;
  static final String CLIENT = "tracearr-analytics";
  private static final int QUOTE_MAX = 200;

  /** What a server said about itself. */
  record Identity(String ownId, String version, String serverName) {}

  /**
   * The answer of one call, classified: {@code up}, {@code unreachable} or {@code unauthorized},
   * with why.
   */
  record Outcome(String status, String detail, Buffer body) {
    static final String UP = "up";
    static final String UNREACHABLE = "unreachable";
    static final String UNAUTHORIZED = "unauthorized";

    boolean up() {
      return UP.equals(status);
    }
  }

  private MediaApi() {}

  static HttpRequest<Buffer> request(
      WebClient client, ServerType type, String url, String token, String path) {
    HttpRequest<Buffer> req =
        client
            .requestAbs(HttpMethod.GET, url + path)
            .timeout(TIMEOUT_MS)
            .putHeader("Accept", "application/json");
    switch (type) {
      case JELLYFIN -> req.putHeader("Authorization", mediaBrowserAuthorization(token));
      case EMBY -> req.putHeader("X-Emby-Token", token);
      case PLEX ->
          req.putHeader("X-Plex-Token", token)
              .putHeader("X-Plex-Client-Identifier", CLIENT)
              .putHeader("X-Plex-Product", CLIENT);
    }
    return req;
  }

  static String mediaBrowserAuthorization(String token) {
    return "MediaBrowser Client=\""
        + CLIENT
        + "\", Device=\""
        + CLIENT
        + "\", DeviceId=\""
        + CLIENT
        + "\", Version=\"1\", Token=\""
        + token
        + "\"";
  }

  /** The poll: Jellyfin/Emby {@code GET /Sessions}, Plex {@code GET /status/sessions}. */
  static String sessionsPath(ServerType type) {
    return type == ServerType.PLEX ? "/status/sessions" : "/Sessions";
  }

  /**
   * GET {@code path}, classified; a failure to connect or a timeout is {@code unreachable}, never a
   * failed future.
   */
  static Future<Outcome> get(
      WebClient client, ServerType type, String url, String token, String path) {
    return request(client, type, url, token, path)
        .send()
        .timeout(TIMEOUT_MS + 500, TimeUnit.MILLISECONDS)
        .map(MediaApi::classify)
        .otherwise(
            err ->
                new Outcome(Outcome.UNREACHABLE, "could not be reached: " + describe(err), null));
  }

  static Outcome classify(HttpResponse<Buffer> r) {
    int code = r.statusCode();
    if (code == 401 || code == 403) {
      return new Outcome(
          Outcome.UNAUTHORIZED, "refused the token: HTTP " + code + quote(r.bodyAsBuffer()), null);
    }
    if (code < 200 || code > 299)
      return new Outcome(
          Outcome.UNREACHABLE, "answered HTTP " + code + quote(r.bodyAsBuffer()), null);
    return new Outcome(
        Outcome.UP, null, r.bodyAsBuffer() == null ? Buffer.buffer() : r.bodyAsBuffer());
  }

  /** A poll's playing items, or why the answer says nothing about them. */
  static PollResult poll(Outcome o, ServerType type) {
    if (!o.up()) return PollResult.unreachable(o.detail());
    try {
      String text = o.body().toString(StandardCharsets.UTF_8);
      return PollResult.seen(
          type == ServerType.PLEX
              ? PlexSessions.parseBody(text)
              : JellyfinSessions.parseBody(text));
    } catch (MalformedPayload e) {
      return PollResult.unreachable(e.getMessage() + quote(o.body()));
    }
  }

  /**
   * The check before a server is stored: Jellyfin/Emby {@code GET /System/Info} with the token;
   * Plex {@code GET /identity} (needs no token: proves the URL) then {@code GET /status/sessions}
   * (proves the token). Fails with a 422 problem naming {@code url} or {@code token} and quoting
   * the server's answer.
   */
  static Future<Identity> check(WebClient client, ServerType type, String url, String token) {
    if (type.isMediaBrowser()) {
      return get(client, type, url, token, "/System/Info")
          .map(
              o -> {
                JsonObject info = jsonObject(failIfDown(o, type));
                String id = info == null ? null : stringOf(info.getValue("Id"));
                if (id == null || id.isBlank()) {
                  throw unprocessable(
                      "url",
                      "does not answer like a "
                          + label(type)
                          + " server: GET /System/Info has no Id"
                          + quote(o.body()));
                }
                return new Identity(
                    id, stringOf(info.getValue("Version")), stringOf(info.getValue("ServerName")));
              });
    }
    return get(client, type, url, token, "/identity")
        .compose(
            o -> {
              JsonObject identity = jsonObject(failIfDown(o, type));
              JsonObject container =
                  identity == null
                      ? null
                      : identity.getValue("MediaContainer") instanceof JsonObject c ? c : null;
              String machine =
                  container == null ? null : stringOf(container.getValue("machineIdentifier"));
              if (machine == null || machine.isBlank()) {
                throw unprocessable(
                    "url",
                    "does not answer like a Plex server: GET /identity has no machineIdentifier"
                        + quote(o.body()));
              }
              String version = stringOf(container.getValue("version"));
              return get(client, type, url, token, "/status/sessions")
                  .map(
                      s -> {
                        failIfDown(s, type);
                        if (poll(s, type) instanceof PollResult.Unreachable u) {
                          throw unprocessable(
                              "url", "does not answer like a Plex server: " + u.why());
                        }
                        return new Identity(machine, version, null);
                      });
            });
  }

  private static Buffer failIfDown(Outcome o, ServerType type) {
    if (Outcome.UNAUTHORIZED.equals(o.status()))
      throw unprocessable("token", "was refused by the " + label(type) + " server: " + o.detail());
    if (!o.up()) throw unprocessable("url", label(type) + " server " + o.detail());
    return o.body();
  }

  private static JsonObject jsonObject(Buffer body) {
    try {
      return body == null ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String stringOf(Object v) {
    return v == null ? null : v.toString();
  }

  static Problem unprocessable(String field, String message) {
    return new Problem(
        422,
        "media-server-check-failed",
        "The media server check failed",
        field + ": " + message,
        List.of(new Problem.FieldError(field, message)));
  }

  static String label(ServerType type) {
    return switch (type) {
      case JELLYFIN -> "Jellyfin";
      case EMBY -> "Emby";
      case PLEX -> "Plex";
    };
  }

  /** {@code : "<first 200 characters>"} of an answer, on one line; empty for no body. */
  static String quote(Buffer body) {
    if (body == null || body.length() == 0) return "";
    String s =
        body.getString(0, Math.min(body.length(), QUOTE_MAX * 4), "UTF-8")
            .replaceAll("[\\r\\n\\t]+", " ")
            .strip();
    if (s.length() > QUOTE_MAX) s = s.substring(0, QUOTE_MAX) + "…";
    return s.isEmpty() ? "" : ": \"" + s + "\"";
  }

  static String describe(Throwable err) {
    if (err instanceof java.util.concurrent.TimeoutException
        || String.valueOf(err.getMessage()).toLowerCase().contains("timeout")) {
      return "no answer within " + TIMEOUT_MS / 1000 + " s";
    }
    String m = err.getMessage();
    return m == null || m.isBlank() ? err.getClass().getSimpleName() : m;
  }

  /**
   * The push channel: Jellyfin {@code /socket}, Emby {@code /embywebsocket}, Plex {@code
   * /:/websockets/notifications}.
   */
  static WebSocketConnectOptions socket(ServerType type, String url, String token) {
    String ws = url.replaceFirst("(?i)^http", "ws");
    WebSocketConnectOptions o =
        new WebSocketConnectOptions().setConnectTimeout(TIMEOUT_MS).setIdleTimeout(0);
    switch (type) {
      case JELLYFIN ->
          o.setAbsoluteURI(ws + "/socket")
              .addHeader("Authorization", mediaBrowserAuthorization(token));
      case EMBY ->
          o.setAbsoluteURI(
                  ws
                      + "/embywebsocket?api_key="
                      + URLEncoder.encode(token, StandardCharsets.UTF_8)
                      + "&deviceId="
                      + CLIENT)
              .addHeader("X-Emby-Token", token);
      case PLEX ->
          o.setAbsoluteURI(ws + "/:/websockets/notifications").addHeader("X-Plex-Token", token);
    }
    return o;
  }
}
