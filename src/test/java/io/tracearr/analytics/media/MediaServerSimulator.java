package io.tracearr.analytics.media;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a Jellyfin, Emby or Plex server, for tests: a real Vert.x HTTP server on a free
 * port that answers the calls the connector makes with the committed real-shaped payloads
 * (src/test/resources/media), plus the playbacks a test sets. Programmatic playbacks are rendered
 * from a fixture element (the episode or the movie) with the test's values written over it, so they
 * keep the real shape field for field.
 *
 * <p>It checks the token the way the real server does (see README there), answers 401 on a wrong
 * one, can be made slow, garbage-speaking, failing or unreachable, serves the push WebSocket and
 * pushes on demand, and records every command it receives (message, playing/stop, terminate) for
 * tests to assert.
 */
public final class MediaServerSimulator implements AutoCloseable {

  /**
   * How the HTTP endpoints answer (WebSocket upgrades too, except under {@link #NORMAL} and {@link
   * #SLOW}).
   */
  public enum Behaviour {
    NORMAL,
    /** answers after {@link #slowDelayMs(long)} (default 6 s: past the connector's 5 s timeout) */
    SLOW,
    /** 200 text/html, as a captive portal or a misconfigured reverse proxy answers */
    HTML,
    /** 200 application/json whose body is cut off */
    INVALID_JSON,
    /** 500 */
    SERVER_ERROR,
    /** the connection is closed without an answer */
    RESET
  }

  /**
   * One playback a test puts on the server; {@code with...} copies change one thing (position,
   * pause...).
   */
  public record Playback(
      String sessionKey,
      String kind,
      String itemId,
      String title,
      String userId,
      String userName,
      String deviceId,
      String deviceName,
      String ip,
      double positionSeconds,
      boolean paused,
      boolean transcoding) {

    public Playback {
      Objects.requireNonNull(sessionKey, "sessionKey");
      if (!kind.equals("episode") && !kind.equals("movie"))
        throw new IllegalArgumentException("kind episode or movie");
    }

    public static Playback episode(
        String sessionKey,
        String itemId,
        String title,
        String userId,
        String userName,
        String deviceId,
        String deviceName,
        String ip) {
      return new Playback(
          sessionKey,
          "episode",
          itemId,
          title,
          userId,
          userName,
          deviceId,
          deviceName,
          ip,
          0,
          false,
          false);
    }

    public static Playback movie(
        String sessionKey,
        String itemId,
        String title,
        String userId,
        String userName,
        String deviceId,
        String deviceName,
        String ip) {
      return new Playback(
          sessionKey,
          "movie",
          itemId,
          title,
          userId,
          userName,
          deviceId,
          deviceName,
          ip,
          0,
          false,
          false);
    }

    public Playback withPosition(double seconds) {
      return new Playback(
          sessionKey,
          kind,
          itemId,
          title,
          userId,
          userName,
          deviceId,
          deviceName,
          ip,
          seconds,
          paused,
          transcoding);
    }

    public Playback withPaused(boolean p) {
      return new Playback(
          sessionKey,
          kind,
          itemId,
          title,
          userId,
          userName,
          deviceId,
          deviceName,
          ip,
          positionSeconds,
          p,
          transcoding);
    }

    public Playback withTranscoding(boolean t) {
      return new Playback(
          sessionKey,
          kind,
          itemId,
          title,
          userId,
          userName,
          deviceId,
          deviceName,
          ip,
          positionSeconds,
          paused,
          t);
    }

    public Playback withItem(String newItemId, String newTitle) {
      return new Playback(
          sessionKey,
          kind,
          newItemId,
          newTitle,
          userId,
          userName,
          deviceId,
          deviceName,
          ip,
          positionSeconds,
          paused,
          transcoding);
    }

    public Playback withIp(String newIp) {
      return new Playback(
          sessionKey,
          kind,
          itemId,
          title,
          userId,
          userName,
          deviceId,
          deviceName,
          newIp,
          positionSeconds,
          paused,
          transcoding);
    }

    /**
     * Plex's {@code Session.id} for this playback: what {@code /status/sessions/terminate} takes.
     */
    public String plexSessionId() {
      return "sim-" + sessionKey;
    }
  }

  /**
   * A command the server received. {@code kind}: {@code Message} and {@code Playing/<command>}
   * (Jellyfin/Emby, {@code sessionId} from the path, {@code payload} the JSON body), {@code
   * terminate} (Plex, {@code sessionId} and {@code payload.reason} from the query).
   */
  public record ReceivedCommand(String kind, String sessionId, JsonObject payload) {}

  private static final Pattern SESSION_COMMAND =
      Pattern.compile("^/Sessions/([^/]+)/(Message|Playing/[A-Za-z]+)$");
  private static final Pattern MEDIA_BROWSER_TOKEN = Pattern.compile("(?i)\\bToken=\"([^\"]*)\"");

  private final Vertx vertx;
  private final ServerType type;
  private final String token;
  private HttpServer server;
  private int port;
  private volatile Behaviour behaviour = Behaviour.NORMAL;
  private volatile long slowDelayMs = 6_000;
  private volatile boolean legacyAuthorization;
  private boolean fixtureSessions = true;
  private final JsonArray fixtureJellyfin = Fixtures.array(Fixtures.JELLYFIN_SESSIONS);
  private final JsonObject fixturePlex = Fixtures.object(Fixtures.PLEX_STATUS_SESSIONS);
  private final Map<String, Playback> playbacks = new LinkedHashMap<>();
  private final List<ReceivedCommand> commands = new CopyOnWriteArrayList<>();

  /** How long a stop (Playing/Stop, Plex terminate) takes to answer; it takes effect at once. */
  private volatile long stopAnswerDelayMs;

  /**
   * A slow stop call: the playback stops at once, the answer comes {@code ms} later (a server whose
   * stop waits on the client), so a poll can see it gone before the stop call returns.
   */
  public void answerStopsAfter(long ms) {
    stopAnswerDelayMs = ms;
  }

  private void answerStop(HttpServerRequest req, int status) {
    if (stopAnswerDelayMs <= 0) req.response().setStatusCode(status).end();
    else vertx.setTimer(stopAnswerDelayMs, t -> req.response().setStatusCode(status).end());
  }

  private final List<String> socketMessages = new CopyOnWriteArrayList<>();
  private final Set<ServerWebSocket> sockets = new CopyOnWriteArraySet<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private MediaServerSimulator(Vertx vertx, ServerType type, String token) {
    this.vertx = vertx;
    this.type = type;
    this.token = token;
  }

  /**
   * Starts a simulated server of {@code type} that accepts {@code token}, on a free port of
   * 127.0.0.1.
   */
  public static Future<MediaServerSimulator> start(Vertx vertx, ServerType type, String token) {
    MediaServerSimulator sim = new MediaServerSimulator(vertx, type, token);
    return sim.listen(0).map(sim);
  }

  private Future<Void> listen(int onPort) {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server
        .listen(onPort, "127.0.0.1")
        .map(
            s -> {
              port = s.actualPort();
              return null;
            });
  }

  // ---- test controls
  // -----------------------------------------------------------------------------------

  public ServerType type() {
    return type;
  }

  public String token() {
    return token;
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Adds a playback, or replaces the one with the same session key (new position, pause, item...).
   */
  public synchronized void put(Playback p) {
    playbacks.put(p.sessionKey(), p);
  }

  public synchronized void remove(String sessionKey) {
    playbacks.remove(sessionKey);
  }

  /** Playbacks to leave out of the next sessions answers over HTTP → how many answers left. */
  private final Map<String, Integer> leftOut = new java.util.HashMap<>();

  /** Playbacks to remove when the next sessions answer over HTTP is built. */
  private final Set<String> removeAtNext = new java.util.HashSet<>();

  /** Playback → when (nanoTime) the answer that first missed it was built. */
  private final Map<String, Long> removedAt = new java.util.concurrent.ConcurrentHashMap<>();

  /** Playback → when (nanoTime) the last answer that left it out was built. */
  private final Map<String, Long> leftOutAt = new java.util.concurrent.ConcurrentHashMap<>();

  /** When (nanoTime) each sessions answer over HTTP was built, in order. */
  private final List<Long> sessionAnswers = new CopyOnWriteArrayList<>();

  /**
   * The playback stops as the next {@code GET} of the sessions is answered: that answer is the
   * first without it, at a known time ({@link #removedAtNanos}), so a test can time what follows
   * from the first poll that missed it.
   */
  public synchronized void removeAtNextAnswer(String sessionKey) {
    removeAtNext.add(sessionKey);
  }

  /** When the answer that removed the playback was built (nanoTime), or null before. */
  public Long removedAtNanos(String sessionKey) {
    return removedAt.get(sessionKey);
  }

  /**
   * A server's partial answer: the playback goes on, but the next {@code answers} {@code GET}s of
   * the sessions leave it out.
   */
  public synchronized void leaveOutOfNextAnswers(String sessionKey, int answers) {
    leftOut.put(sessionKey, answers);
  }

  /** When the last answer that left the playback out was built (nanoTime), or null before. */
  public Long leftOutAtNanos(String sessionKey) {
    return leftOutAt.get(sessionKey);
  }

  /** When (nanoTime) each {@code GET} of the sessions was answered, in order. */
  public List<Long> sessionAnswerTimes() {
    return List.copyOf(sessionAnswers);
  }

  /**
   * The playbacks of one sessions answer over HTTP: applies the removals and omissions the test
   * asked for.
   */
  private synchronized java.util.Collection<Playback> playbacksOfThisAnswer() {
    long now = System.nanoTime();
    sessionAnswers.add(now);
    for (String key : removeAtNext) {
      if (playbacks.remove(key) != null) removedAt.put(key, now);
    }
    removeAtNext.clear();
    List<Playback> out = new java.util.ArrayList<>();
    for (Playback p : playbacks.values()) {
      Integer left = leftOut.get(p.sessionKey());
      if (left == null) {
        out.add(p);
        continue;
      }
      leftOutAt.put(p.sessionKey(), now);
      if (left <= 1) leftOut.remove(p.sessionKey());
      else leftOut.put(p.sessionKey(), left - 1);
    }
    return out;
  }

  /**
   * Whether the committed fixture sessions are served alongside the test's playbacks (default
   * true).
   */
  public synchronized void fixtureSessions(boolean on) {
    fixtureSessions = on;
  }

  public void behave(Behaviour b) {
    behaviour = b;
  }

  public void slowDelayMs(long ms) {
    slowDelayMs = ms;
  }

  /**
   * Jellyfin: accept {@code X-Emby-Token} and {@code api_key} too. Off by default, as on a current
   * Jellyfin (the 2026-05-31 migration DisableLegacyAuthorization turns them off). Emby always
   * accepts them.
   */
  public void legacyAuthorization(boolean on) {
    legacyAuthorization = on;
  }

  /** Unreachable: the port is closed, so connections are refused. */
  public Future<Void> stop() {
    for (ServerWebSocket ws : sockets) ws.close();
    sockets.clear();
    return server.close();
  }

  /** Reachable again, on the same port. */
  public Future<Void> restart() {
    return listen(port);
  }

  @Override
  public void close() {
    stop();
  }

  public List<ReceivedCommand> commands() {
    return List.copyOf(commands);
  }

  /** Text frames the server received on its push sockets (e.g. SessionsStart, KeepAlive). */
  public List<String> socketMessages() {
    return List.copyOf(socketMessages);
  }

  /** "METHOD path" of every HTTP request, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  public int openSockets() {
    return sockets.size();
  }

  /**
   * Jellyfin/Emby: pushes a {@code Sessions} message with what {@code GET /Sessions} would answer
   * now.
   */
  public void pushSessions() {
    pushRaw(
        new JsonObject()
            .put("MessageType", "Sessions")
            .put("MessageId", "sim")
            .put("Data", mediaBrowserSessions())
            .encode());
  }

  /** Plex: pushes a {@code playing} notification for one session. */
  public void pushPlaying(String sessionKey, String ratingKey, String state, long viewOffsetMs) {
    JsonObject n =
        new JsonObject()
            .put("sessionKey", sessionKey)
            .put("ratingKey", ratingKey)
            .put("key", "/library/metadata/" + ratingKey)
            .put("viewOffset", viewOffsetMs)
            .put("state", state);
    pushRaw(
        new JsonObject()
            .put(
                "NotificationContainer",
                new JsonObject()
                    .put("type", "playing")
                    .put("size", 1)
                    .put("PlaySessionStateNotification", new JsonArray().add(n)))
            .encode());
  }

  public void pushRaw(String text) {
    for (ServerWebSocket ws : sockets) ws.writeTextMessage(text);
  }

  // ---- what the server serves
  // -------------------------------------------------------------------------

  /**
   * The body of Jellyfin/Emby {@code GET /Sessions} now: fixture sessions, then the test's
   * playbacks.
   */
  public synchronized JsonArray mediaBrowserSessions() {
    return mediaBrowserSessions(playbacks.values());
  }

  private synchronized JsonArray mediaBrowserSessions(java.util.Collection<Playback> shown) {
    JsonArray out = new JsonArray();
    if (fixtureSessions) fixtureJellyfin.forEach(out::add);
    for (Playback p : shown) out.add(jellyfinSession(p));
    return out.copy();
  }

  /**
   * The body of Plex {@code GET /status/sessions} now: fixture metadata, then the test's playbacks.
   */
  public synchronized JsonObject plexSessions() {
    return plexSessions(playbacks.values());
  }

  private synchronized JsonObject plexSessions(java.util.Collection<Playback> shown) {
    JsonArray metadata = new JsonArray();
    if (fixtureSessions)
      fixturePlex.getJsonObject("MediaContainer").getJsonArray("Metadata").forEach(metadata::add);
    for (Playback p : shown) metadata.add(plexMetadata(p));
    JsonObject container = new JsonObject().put("size", metadata.size());
    if (!metadata.isEmpty()) container.put("Metadata", metadata);
    return new JsonObject().put("MediaContainer", container).copy();
  }

  private JsonObject jellyfinSession(Playback p) {
    JsonObject s = fixtureJellyfin.getJsonObject(p.kind().equals("episode") ? 0 : 1).copy();
    s.put("Id", p.sessionKey())
        .put("UserId", p.userId())
        .put("UserName", p.userName())
        .put("DeviceId", p.deviceId())
        .put("DeviceName", p.deviceName())
        .put("RemoteEndPoint", p.ip());
    s.getJsonObject("PlayState")
        .put("PositionTicks", Math.round(p.positionSeconds() * 10_000_000d))
        .put("IsPaused", p.paused())
        .put("PlayMethod", p.transcoding() ? "Transcode" : "DirectPlay")
        .put("MediaSourceId", p.itemId());
    JsonObject item =
        s.getJsonObject("NowPlayingItem").put("Id", p.itemId()).put("Name", p.title());
    s.put(
        "NowPlayingQueue",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("Id", item.getString("Id"))
                    .put("PlaylistItemId", "playlistItem0")));
    if (p.transcoding() && !s.containsKey("TranscodingInfo")) {
      s.put(
          "TranscodingInfo",
          fixtureJellyfin.getJsonObject(0).getJsonObject("TranscodingInfo").copy());
    }
    if (!p.transcoding()) s.remove("TranscodingInfo");
    return s;
  }

  private JsonObject plexMetadata(Playback p) {
    JsonArray fixture = fixturePlex.getJsonObject("MediaContainer").getJsonArray("Metadata");
    JsonObject m = fixture.getJsonObject(p.kind().equals("episode") ? 0 : 1).copy();
    m.put("sessionKey", p.sessionKey())
        .put("ratingKey", p.itemId())
        .put("key", "/library/metadata/" + p.itemId())
        .put("title", p.title())
        .put("viewOffset", Math.round(p.positionSeconds() * 1000));
    m.getJsonObject("User").put("id", p.userId()).put("title", p.userName());
    m.getJsonObject("Player")
        .put("machineIdentifier", p.deviceId())
        .put("title", p.deviceName())
        .put("address", p.ip())
        .put("remotePublicAddress", p.ip())
        .put("state", p.paused() ? "paused" : "playing");
    m.getJsonObject("Session").put("id", p.plexSessionId());
    if (p.transcoding() && !m.containsKey("TranscodeSession")) {
      m.put("TranscodeSession", fixture.getJsonObject(0).getJsonObject("TranscodeSession").copy());
    }
    if (!p.transcoding()) m.remove("TranscodeSession");
    return m;
  }

  // ---- HTTP
  // ---------------------------------------------------------------------------------------------

  private void handle(HttpServerRequest req) {
    requests.add(req.method() + " " + req.path());
    switch (behaviour) {
      case NORMAL -> route(req);
      case SLOW -> vertx.setTimer(slowDelayMs, id -> route(req));
      case HTML ->
          req.response()
              .putHeader("Content-Type", "text/html")
              .end(
                  "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Portal</body></html>");
      case INVALID_JSON ->
          req.response()
              .putHeader("Content-Type", "application/json")
              .end("{\"MediaContainer\": {\"size\": 1, \"Meta");
      case SERVER_ERROR ->
          req.response()
              .setStatusCode(500)
              .putHeader("Content-Type", "text/plain")
              .end("Internal Server Error");
      case RESET -> req.connection().close();
    }
  }

  private void route(HttpServerRequest req) {
    if (type == ServerType.PLEX) routePlex(req);
    else routeMediaBrowser(req);
  }

  private void routeMediaBrowser(HttpServerRequest req) {
    // Emby also answers under /emby (its documented base path http[s]://host:port/emby/{apipath})
    String path =
        type == ServerType.EMBY && req.path().startsWith("/emby/")
            ? req.path().substring(5)
            : req.path();
    boolean socketPath =
        type == ServerType.JELLYFIN
            ? path.equals("/socket") || path.equals("/websocket")
            : path.equals("/embywebsocket");
    if (!mediaBrowserAuthorized(req)) {
      req.response().setStatusCode(401).end();
      return;
    }
    if (socketPath && req.canUpgradeToWebSocket()) {
      req.toWebSocket().onSuccess(this::mediaBrowserSocket);
      return;
    }
    Matcher command = SESSION_COMMAND.matcher(path);
    if (req.method().name().equals("GET") && path.equals("/System/Info")) {
      json(req, 200, Fixtures.text(Fixtures.JELLYFIN_SYSTEM_INFO));
    } else if (req.method().name().equals("GET") && path.equals("/Sessions")) {
      json(req, 200, mediaBrowserSessions(playbacksOfThisAnswer()).encode());
    } else if (req.method().name().equals("POST") && command.matches()) {
      String sessionId = command.group(1);
      String kind = command.group(2);
      req.body().onSuccess(body -> sessionCommand(req, sessionId, kind, body));
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  private void sessionCommand(HttpServerRequest req, String sessionId, String kind, Buffer body) {
    JsonObject payload;
    try {
      payload = body.length() == 0 ? new JsonObject() : body.toJsonObject();
    } catch (RuntimeException e) {
      req.response().setStatusCode(400).end();
      return;
    }
    if (!knownMediaBrowserSession(sessionId)) {
      req.response().setStatusCode(404).end();
      return;
    }
    commands.add(new ReceivedCommand(kind, sessionId, payload));
    if (kind.equals("Playing/Stop")) {
      stopMediaBrowserSession(sessionId);
      answerStop(req, 204);
      return;
    }
    req.response().setStatusCode(204).end();
  }

  private synchronized boolean knownMediaBrowserSession(String sessionId) {
    return mediaBrowserSessions().stream()
        .anyMatch(o -> sessionId.equals(((JsonObject) o).getString("Id")));
  }

  /**
   * The client obeys a stop: its session stays, idle (no NowPlayingItem), as a real client's does.
   */
  private synchronized void stopMediaBrowserSession(String sessionId) {
    playbacks.remove(sessionId);
    for (Object o : fixtureJellyfin) {
      JsonObject s = (JsonObject) o;
      if (sessionId.equals(s.getString("Id"))) {
        s.remove("NowPlayingItem");
        s.remove("TranscodingInfo");
      }
    }
  }

  private boolean mediaBrowserAuthorized(HttpServerRequest req) {
    boolean legacy = type == ServerType.EMBY || legacyAuthorization;
    for (String header : List.of("Authorization", "X-Emby-Authorization")) {
      String value = req.getHeader(header);
      if (value != null) {
        Matcher m = MEDIA_BROWSER_TOKEN.matcher(value);
        String scheme = value.trim().split("\\s+", 2)[0];
        boolean schemeOk =
            scheme.equalsIgnoreCase("MediaBrowser") || (legacy && scheme.equalsIgnoreCase("Emby"));
        if (schemeOk && m.find()) return token.equals(m.group(1));
      }
    }
    if (legacy && req.getHeader("X-Emby-Token") != null)
      return token.equals(req.getHeader("X-Emby-Token"));
    if (req.getParam("ApiKey") != null) return token.equals(req.getParam("ApiKey"));
    if (legacy && req.getParam("api_key") != null) return token.equals(req.getParam("api_key"));
    return false;
  }

  private void mediaBrowserSocket(ServerWebSocket ws) {
    sockets.add(ws);
    ws.closeHandler(v -> sockets.remove(ws));
    ws.textMessageHandler(
        text -> {
          socketMessages.add(text);
          JsonObject message;
          try {
            message = new JsonObject(text);
          } catch (RuntimeException e) {
            return;
          }
          // the server answers a subscription at once (its initial delay is 0 in "0,1500"), then as
          // the test pushes
          if ("SessionsStart".equals(message.getString("MessageType"))) {
            ws.writeTextMessage(
                new JsonObject()
                    .put("MessageType", "Sessions")
                    .put("MessageId", "sim")
                    .put("Data", mediaBrowserSessions())
                    .encode());
          }
        });
  }

  private void routePlex(HttpServerRequest req) {
    String path = req.path();
    if (req.method().name().equals("GET") && path.equals("/identity")) {
      json(
          req,
          200,
          Fixtures.text(Fixtures.PLEX_IDENTITY)); // the spec marks /identity as needing no token
      return;
    }
    String given =
        req.getHeader("X-Plex-Token") != null
            ? req.getHeader("X-Plex-Token")
            : req.getParam("X-Plex-Token");
    if (!token.equals(given)) {
      req.response()
          .setStatusCode(401)
          .putHeader("Content-Type", "text/html")
          .end(
              "<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>");
      return;
    }
    if (path.equals("/:/websockets/notifications") && req.canUpgradeToWebSocket()) {
      req.toWebSocket()
          .onSuccess(
              ws -> {
                sockets.add(ws);
                ws.closeHandler(v -> sockets.remove(ws));
                ws.textMessageHandler(socketMessages::add);
              });
    } else if (req.method().name().equals("GET") && path.equals("/status/sessions")) {
      String accept = req.getHeader("Accept");
      if (accept != null && accept.contains("application/json")) {
        json(req, 200, plexSessions(playbacksOfThisAnswer()).encode());
      } else {
        // Plex answers XML unless asked for JSON; the connector must ask
        req.response()
            .putHeader("Content-Type", "text/xml;charset=utf-8")
            .end(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MediaContainer size=\""
                    + plexSessions().getJsonObject("MediaContainer").getInteger("size")
                    + "\"></MediaContainer>\n");
      }
    } else if (path.equals("/status/sessions/terminate")) {
      terminate(req);
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  private void terminate(HttpServerRequest req) {
    String sessionId = req.getParam("sessionId");
    if (sessionId == null || sessionId.isEmpty()) {
      req.response().setStatusCode(403).end(); // the spec: 403 "sessionId is empty"
      return;
    }
    boolean known;
    synchronized (this) {
      known =
          plexSessions()
              .getJsonObject("MediaContainer")
              .getJsonArray("Metadata", new JsonArray())
              .stream()
              .anyMatch(
                  o -> sessionId.equals(((JsonObject) o).getJsonObject("Session").getString("id")));
      if (known) {
        playbacks.values().removeIf(p -> p.plexSessionId().equals(sessionId));
        JsonArray fixture = fixturePlex.getJsonObject("MediaContainer").getJsonArray("Metadata");
        for (int i = fixture.size() - 1; i >= 0; i--) {
          if (sessionId.equals(fixture.getJsonObject(i).getJsonObject("Session").getString("id")))
            fixture.remove(i);
        }
      }
    }
    if (!known) {
      req.response().setStatusCode(404).end();
      return;
    }
    commands.add(
        new ReceivedCommand(
            "terminate",
            sessionId,
            new JsonObject()
                .put("reason", req.getParam("reason"))
                .put("method", req.method().name())));
    answerStop(req, 200);
  }

  private static void json(HttpServerRequest req, int status, String body) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body);
  }
}
