package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.media.MediaServerSimulator.Behaviour;
import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.media.MediaServerSimulator.ReceivedCommand;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulator serves the committed shapes, guards them with the server's token rules and records
 * commands.
 */
class MediaServerSimulatorTest {

  static final String TOKEN = "sim-token";
  static Vertx vertx;
  static WebClient http;

  @BeforeAll
  static void boot() {
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void shutdown() {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static MediaServerSimulator sim(ServerType type) {
    return await(MediaServerSimulator.start(vertx, type, TOKEN));
  }

  static Future<HttpResponse<Buffer>> get(MediaServerSimulator sim, String path, MultiMap headers) {
    return http.get(sim.port(), "127.0.0.1", path).putHeaders(headers).send();
  }

  static MultiMap headers(String... nameValues) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) h.add(nameValues[i], nameValues[i + 1]);
    return h;
  }

  static MultiMap jellyfinAuth() {
    return headers(
        "Authorization",
        "MediaBrowser Client=\"tracearr\", Device=\"analytics\", DeviceId=\"t1\", Version=\"0.1.0\", Token=\""
            + TOKEN
            + "\"");
  }

  static MultiMap plexAuth() {
    return headers("X-Plex-Token", TOKEN, "Accept", "application/json");
  }

  // ---- shapes
  // -------------------------------------------------------------------------------------------

  @Test
  void jellyfinServesTheFixtureSystemInfoAndSessions() {
    try (MediaServerSimulator sim = sim(ServerType.JELLYFIN)) {
      assertEquals(
          Fixtures.object(Fixtures.JELLYFIN_SYSTEM_INFO),
          await(get(sim, "/System/Info", jellyfinAuth())).bodyAsJsonObject());
      assertEquals(
          Fixtures.array(Fixtures.JELLYFIN_SESSIONS),
          await(get(sim, "/Sessions", jellyfinAuth())).bodyAsJsonArray());
    }
  }

  @Test
  void plexServesTheFixtureIdentityAndSessions() {
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      assertEquals(
          Fixtures.object(Fixtures.PLEX_IDENTITY),
          await(get(sim, "/identity", headers())).bodyAsJsonObject());
      assertEquals(
          Fixtures.object(Fixtures.PLEX_STATUS_SESSIONS),
          await(get(sim, "/status/sessions", plexAuth())).bodyAsJsonObject());
    }
  }

  @Test
  void plexAnswersXmlUnlessAskedForJson() {
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      HttpResponse<Buffer> r = await(get(sim, "/status/sessions", headers("X-Plex-Token", TOKEN)));
      assertTrue(r.getHeader("Content-Type").startsWith("text/xml"));
      assertThrows(MalformedPayload.class, () -> PlexSessions.parseBody(r.bodyAsString()));
    }
  }

  @Test
  void aJellyfinPlaybackSetByTheTestHasTheFixtureShapeAndItsValues() throws MalformedPayload {
    try (MediaServerSimulator sim = sim(ServerType.JELLYFIN)) {
      sim.fixtureSessions(false);
      sim.put(
          Playback.episode(
                  "s-1", "item-1", "Pilot", "user-1", "jesse", "dev-1", "Roku", "198.51.100.9")
              .withPosition(90)
              .withPaused(true)
              .withTranscoding(true));
      JsonArray served = await(get(sim, "/Sessions", jellyfinAuth())).bodyAsJsonArray();
      JsonObject template = Fixtures.array(Fixtures.JELLYFIN_SESSIONS).getJsonObject(0);
      assertEquals(template.fieldNames(), served.getJsonObject(0).fieldNames());
      assertEquals(
          template.getJsonObject("NowPlayingItem").fieldNames(),
          served.getJsonObject(0).getJsonObject("NowPlayingItem").fieldNames());
      assertEquals(
          template.getJsonObject("PlayState").fieldNames(),
          served.getJsonObject(0).getJsonObject("PlayState").fieldNames());

      ObservedPlayback p = JellyfinSessions.parseBody(served.encode()).get(0);
      assertEquals(
          List.of(
              "s-1",
              "item-1",
              "Pilot",
              "user-1",
              "jesse",
              "dev-1",
              "Roku",
              "198.51.100.9",
              "paused",
              90.0,
              true),
          List.of(
              p.serverSessionKey(),
              p.itemId(),
              p.title(),
              p.externalUserId(),
              p.userName(),
              p.deviceId(),
              p.deviceName(),
              p.ipAddress(),
              p.status(),
              p.positionSeconds(),
              p.transcoded()));
    }
  }

  @Test
  void aPlexPlaybackSetByTheTestHasTheFixtureShapeAndItsValues() throws MalformedPayload {
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      sim.fixtureSessions(false);
      sim.put(
          Playback.movie("77", "5001", "Ronin", "9", "mike", "m-dev", "Shield", "198.51.100.20")
              .withPosition(61.5));
      JsonObject served = await(get(sim, "/status/sessions", plexAuth())).bodyAsJsonObject();
      JsonObject template =
          Fixtures.object(Fixtures.PLEX_STATUS_SESSIONS)
              .getJsonObject("MediaContainer")
              .getJsonArray("Metadata")
              .getJsonObject(1);
      JsonObject element =
          served.getJsonObject("MediaContainer").getJsonArray("Metadata").getJsonObject(0);
      assertEquals(template.fieldNames(), element.fieldNames());
      assertEquals(
          template.getJsonObject("Player").fieldNames(),
          element.getJsonObject("Player").fieldNames());
      assertEquals(1, served.getJsonObject("MediaContainer").getInteger("size"));

      ObservedPlayback p = PlexSessions.parse(served).get(0);
      assertEquals(
          List.of(
              "77",
              "sim-77",
              "5001",
              "Ronin",
              "9",
              "mike",
              "m-dev",
              "Shield",
              "198.51.100.20",
              "playing",
              61.5),
          List.of(
              p.serverSessionKey(),
              p.controlId(),
              p.itemId(),
              p.title(),
              p.externalUserId(),
              p.userName(),
              p.deviceId(),
              p.deviceName(),
              p.ipAddress(),
              p.status(),
              p.positionSeconds()));
    }
  }

  @Test
  void anIdlePlexServerAnswersAnEmptyContainer() throws MalformedPayload {
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      sim.fixtureSessions(false);
      JsonObject served = await(get(sim, "/status/sessions", plexAuth())).bodyAsJsonObject();
      assertEquals(new JsonObject().put("MediaContainer", new JsonObject().put("size", 0)), served);
      assertEquals(List.of(), PlexSessions.parse(served));
    }
  }

  // ---- tokens
  // -------------------------------------------------------------------------------------------

  static Stream<Arguments> tokens() {
    String bearer = "MediaBrowser Token=\"" + TOKEN + "\"";
    return Stream.of(
        Arguments.of(
            "jellyfin: Authorization MediaBrowser Token= is accepted",
            ServerType.JELLYFIN,
            false,
            "/Sessions",
            headers("Authorization", bearer),
            200),
        Arguments.of(
            "jellyfin: X-Emby-Authorization MediaBrowser Token= is accepted",
            ServerType.JELLYFIN,
            false,
            "/Sessions",
            headers("X-Emby-Authorization", bearer),
            200),
        Arguments.of(
            "jellyfin: a wrong token is 401",
            ServerType.JELLYFIN,
            false,
            "/Sessions",
            headers("Authorization", "MediaBrowser Token=\"nope\""),
            401),
        Arguments.of(
            "jellyfin: no token is 401", ServerType.JELLYFIN, false, "/Sessions", headers(), 401),
        Arguments.of(
            "jellyfin: ?ApiKey= is accepted",
            ServerType.JELLYFIN,
            false,
            "/Sessions?ApiKey=" + TOKEN,
            headers(),
            200),
        Arguments.of(
            "jellyfin: X-Emby-Token is refused while legacy authorization is off (the default)",
            ServerType.JELLYFIN,
            false,
            "/Sessions",
            headers("X-Emby-Token", TOKEN),
            401),
        Arguments.of(
            "jellyfin: X-Emby-Token is accepted with legacy authorization on",
            ServerType.JELLYFIN,
            true,
            "/Sessions",
            headers("X-Emby-Token", TOKEN),
            200),
        Arguments.of(
            "jellyfin: ?api_key= is accepted with legacy authorization on",
            ServerType.JELLYFIN,
            true,
            "/Sessions?api_key=" + TOKEN,
            headers(),
            200),
        Arguments.of(
            "emby: X-Emby-Token is accepted",
            ServerType.EMBY,
            false,
            "/Sessions",
            headers("X-Emby-Token", TOKEN),
            200),
        Arguments.of(
            "emby: ?api_key= is accepted",
            ServerType.EMBY,
            false,
            "/System/Info?api_key=" + TOKEN,
            headers(),
            200),
        Arguments.of(
            "emby: the /emby base path is served",
            ServerType.EMBY,
            false,
            "/emby/System/Info",
            headers("X-Emby-Token", TOKEN),
            200),
        Arguments.of(
            "emby: a wrong X-Emby-Token is 401",
            ServerType.EMBY,
            false,
            "/Sessions",
            headers("X-Emby-Token", "nope"),
            401),
        Arguments.of(
            "plex: X-Plex-Token header is accepted",
            ServerType.PLEX,
            false,
            "/status/sessions",
            headers("X-Plex-Token", TOKEN),
            200),
        Arguments.of(
            "plex: ?X-Plex-Token= is accepted",
            ServerType.PLEX,
            false,
            "/status/sessions?X-Plex-Token=" + TOKEN,
            headers(),
            200),
        Arguments.of(
            "plex: a wrong token is 401",
            ServerType.PLEX,
            false,
            "/status/sessions",
            headers("X-Plex-Token", "nope"),
            401),
        Arguments.of(
            "plex: /identity needs no token, so it cannot validate one",
            ServerType.PLEX,
            false,
            "/identity",
            headers("X-Plex-Token", "nope"),
            200));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tokens")
  void tokenRules(
      String name, ServerType type, boolean legacy, String path, MultiMap headers, int status) {
    try (MediaServerSimulator sim = sim(type)) {
      sim.legacyAuthorization(legacy);
      assertEquals(status, await(get(sim, path, headers)).statusCode());
    }
  }

  // ---- failure modes
  // ------------------------------------------------------------------------------------

  @Test
  void htmlInvalidJsonAndErrorsAreWhatTheyClaim() {
    try (MediaServerSimulator sim = sim(ServerType.JELLYFIN)) {
      sim.behave(Behaviour.HTML);
      HttpResponse<Buffer> html = await(get(sim, "/Sessions", jellyfinAuth()));
      assertEquals(200, html.statusCode());
      assertThrows(MalformedPayload.class, () -> JellyfinSessions.parseBody(html.bodyAsString()));
      sim.behave(Behaviour.INVALID_JSON);
      HttpResponse<Buffer> cut = await(get(sim, "/Sessions", jellyfinAuth()));
      assertThrows(MalformedPayload.class, () -> JellyfinSessions.parseBody(cut.bodyAsString()));
      sim.behave(Behaviour.SERVER_ERROR);
      assertEquals(500, await(get(sim, "/Sessions", jellyfinAuth())).statusCode());
    }
  }

  @Test
  void aResetAnswersNothing() {
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      sim.behave(Behaviour.RESET);
      failure(get(sim, "/status/sessions", plexAuth()));
      sim.behave(Behaviour.NORMAL);
      assertEquals(200, await(get(sim, "/status/sessions", plexAuth())).statusCode());
    }
  }

  @Test
  void aSlowServerOutlastsTheClientTimeout() {
    try (MediaServerSimulator sim = sim(ServerType.JELLYFIN)) {
      sim.behave(Behaviour.SLOW);
      sim.slowDelayMs(
          1_500); // the default is 6 s, past the connector's 5 s; shortened to keep this test quick
      Throwable t =
          failure(
              http.get(sim.port(), "127.0.0.1", "/Sessions")
                  .putHeaders(jellyfinAuth())
                  .timeout(300)
                  .send());
      assertTrue(t.getMessage().toLowerCase().contains("timeout"), t.toString());
    }
  }

  @Test
  void aStoppedServerRefusesConnectionsAndComesBackOnTheSamePort() {
    MediaServerSimulator sim = sim(ServerType.JELLYFIN);
    int port = sim.port();
    await(sim.stop());
    failure(get(sim, "/System/Info", jellyfinAuth()));
    await(sim.restart());
    assertEquals(port, sim.port());
    assertEquals(200, await(get(sim, "/System/Info", jellyfinAuth())).statusCode());
    sim.close();
  }

  // ---- commands
  // -----------------------------------------------------------------------------------------

  @Test
  void jellyfinRecordsAMessageAndAStopAndTheStoppedSessionGoesIdle() throws MalformedPayload {
    try (MediaServerSimulator sim = sim(ServerType.JELLYFIN)) {
      String id = "c7a14e0b2f6d4a9e8b1c3d5e7f9a0b2c";
      JsonObject message =
          new JsonObject()
              .put("Header", "Tracearr")
              .put("Text", "Sharing is not allowed")
              .put("TimeoutMs", 10000);
      assertEquals(
          204,
          await(
                  http.post(sim.port(), "127.0.0.1", "/Sessions/" + id + "/Message")
                      .putHeaders(jellyfinAuth())
                      .sendJsonObject(message))
              .statusCode());
      assertEquals(
          204,
          await(
                  http.post(sim.port(), "127.0.0.1", "/Sessions/" + id + "/Playing/Stop")
                      .putHeaders(jellyfinAuth())
                      .send())
              .statusCode());
      assertEquals(
          404,
          await(
                  http.post(sim.port(), "127.0.0.1", "/Sessions/unknown/Playing/Stop")
                      .putHeaders(jellyfinAuth())
                      .send())
              .statusCode());
      assertEquals(
          List.of(
              new ReceivedCommand("Message", id, message),
              new ReceivedCommand("Playing/Stop", id, new JsonObject())),
          sim.commands());
      List<ObservedPlayback> after =
          JellyfinSessions.parseBody(await(get(sim, "/Sessions", jellyfinAuth())).bodyAsString());
      assertEquals(
          List.of("f0e1d2c3b4a5968778695a4b3c2d1e0f"),
          after.stream().map(ObservedPlayback::serverSessionKey).toList());
    }
  }

  @Test
  void plexRecordsATerminateAndTheSessionIsGone() throws MalformedPayload {
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      String path =
          "/status/sessions/terminate?sessionId=k2m9x7q4w1e8r5t3y6u0i2o4&reason=Sharing%20is%20not%20allowed";
      assertEquals(
          200,
          await(
                  http.request(HttpMethod.GET, sim.port(), "127.0.0.1", path)
                      .putHeaders(plexAuth())
                      .send())
              .statusCode());
      assertEquals(
          403, await(get(sim, "/status/sessions/terminate?reason=x", plexAuth())).statusCode());
      assertEquals(
          List.of(
              new ReceivedCommand(
                  "terminate",
                  "k2m9x7q4w1e8r5t3y6u0i2o4",
                  new JsonObject().put("reason", "Sharing is not allowed").put("method", "GET"))),
          sim.commands());
      List<ObservedPlayback> after =
          PlexSessions.parseBody(await(get(sim, "/status/sessions", plexAuth())).bodyAsString());
      assertEquals(
          List.of("42", "43"), after.stream().map(ObservedPlayback::serverSessionKey).toList());
    }
  }

  // ---- push
  // ---------------------------------------------------------------------------------------------

  static final class Socket implements AutoCloseable {
    final WebSocketClient client;
    final WebSocket ws;
    final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();

    Socket(WebSocketClient client, WebSocket ws) {
      this.client = client;
      this.ws = ws;
      ws.textMessageHandler(frames::add);
    }

    static Future<Socket> open(int port, String uri) {
      WebSocketClient client = vertx.createWebSocketClient();
      return client
          .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
          .map(ws -> new Socket(client, ws))
          .onFailure(e -> client.close());
    }

    String next() throws InterruptedException {
      String f = frames.poll(20, TimeUnit.SECONDS);
      if (f == null) throw new AssertionError("no frame within 20 s");
      return f;
    }

    @Override
    public void close() {
      client.close();
    }
  }

  @Test
  void jellyfinAnswersTheSubscriptionWithTheSessionsAndPushesOnDemand()
      throws InterruptedException {
    try (MediaServerSimulator sim = sim(ServerType.JELLYFIN);
        Socket socket = await(Socket.open(sim.port(), "/socket?ApiKey=" + TOKEN))) {
      socket.ws.writeTextMessage(PushMessages.sessionsStart(0, 1500));
      PushSignal first = PushMessages.mediaBrowser(socket.next());
      assertEquals(2, assertInstanceOf(PushSignal.SessionsSnapshot.class, first).playing().size());
      assertEquals(List.of(PushMessages.sessionsStart(0, 1500)), sim.socketMessages());

      sim.fixtureSessions(false);
      sim.put(
          Playback.movie(
              "s-9", "i-9", "Collateral", "u-9", "vincent", "d-9", "Cab", "198.51.100.30"));
      sim.pushSessions();
      PushSignal pushed = PushMessages.mediaBrowser(socket.next());
      assertEquals(
          List.of("Collateral"),
          assertInstanceOf(PushSignal.SessionsSnapshot.class, pushed).playing().stream()
              .map(ObservedPlayback::title)
              .toList());
    }
  }

  @Test
  void embyServesItsSocketOnEmbywebsocket() throws InterruptedException {
    try (MediaServerSimulator sim = sim(ServerType.EMBY);
        Socket socket =
            await(
                Socket.open(
                    sim.port(), "/embywebsocket?api_key=" + TOKEN + "&deviceId=tracearr-1"))) {
      socket.ws.writeTextMessage(PushMessages.sessionsStart(0, 1500));
      assertInstanceOf(PushSignal.SessionsSnapshot.class, PushMessages.mediaBrowser(socket.next()));
    }
  }

  @Test
  void plexPushesPlayingNotifications() throws InterruptedException {
    try (MediaServerSimulator sim = sim(ServerType.PLEX);
        Socket socket =
            await(Socket.open(sim.port(), "/:/websockets/notifications?X-Plex-Token=" + TOKEN))) {
      waitFor(() -> sim.openSockets() == 1);
      sim.pushPlaying("41", "1003", "paused", 760_000);
      assertEquals(
          new PushSignal.PollNow("playing", List.of("41")), PushMessages.plex(socket.next()));
    }
  }

  static Stream<Arguments> refusedUpgrades() {
    return Stream.of(
        Arguments.of(
            "jellyfin socket with a wrong ApiKey", ServerType.JELLYFIN, "/socket?ApiKey=nope"),
        Arguments.of(
            "jellyfin socket with the legacy api_key while legacy authorization is off",
            ServerType.JELLYFIN,
            "/socket?api_key=" + TOKEN),
        Arguments.of(
            "emby socket with a wrong api_key",
            ServerType.EMBY,
            "/embywebsocket?api_key=nope&deviceId=x"),
        Arguments.of(
            "plex notifications without a token", ServerType.PLEX, "/:/websockets/notifications"));
  }

  @ParameterizedTest(name = "{0} is refused with 401")
  @MethodSource("refusedUpgrades")
  void refusedUpgrade(String name, ServerType type, String uri) {
    try (MediaServerSimulator sim = sim(type)) {
      Throwable t = failure(Socket.open(sim.port(), uri));
      assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, t).getStatus());
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition) {
    io.tracearr.analytics.testing.Await.until(
        java.time.Duration.ofSeconds(20), "the simulator's condition", condition);
  }

  @Test
  void fixturesAreUntouchedByATest() {
    // the simulator edits its own copies (stop, terminate): the committed shapes stay what tests
    // compare against
    try (MediaServerSimulator sim = sim(ServerType.PLEX)) {
      await(
          http.get(
                  sim.port(),
                  "127.0.0.1",
                  "/status/sessions/terminate?sessionId=p9o8i7u6y5t4r3e2w1q0a9s8")
              .putHeaders(plexAuth())
              .send());
    }
    assertEquals(
        Set.of("41", "42", "43"),
        Set.copyOf(
            PlexSessionsTest.parseFixture().stream()
                .map(ObservedPlayback::serverSessionKey)
                .toList()));
  }
}
