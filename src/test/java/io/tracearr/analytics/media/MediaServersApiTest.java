package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /analytics/servers} through the real router, the real connector verticle and PostgreSQL,
 * against the simulator: the check before storing (422 naming url or token, quoting the server),
 * bad input (400 naming the field), config servers (listed, not changeable), and the token never in
 * any answer.
 */
class MediaServersApiTest {

  private static final String CONFIG_TOKEN = "config-token-never-shown-5f2d";

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "media_servers",
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("name", "from-config")
                              .put("type", "emby")
                              .put("url", "http://127.0.0.1:9/")
                              .put("token", CONFIG_TOKEN)
                              .put("enabled", false))));

  static final TestNode node = nodes.node();

  static Vertx vertx;
  static MediaServerSimulator jellyfin;
  static MediaServerSimulator plex;

  /** every answer body, to prove that no token ever comes back */
  static final List<String> answers = new ArrayList<>();

  @BeforeAll
  static void simulators() {
    vertx = Vertx.vertx();
    jellyfin =
        TestNode.await(
            MediaServerSimulator.start(vertx, ServerType.JELLYFIN, "jf-token-1234567890"));
    plex =
        TestNode.await(MediaServerSimulator.start(vertx, ServerType.PLEX, "plex-token-abcdefghij"));
  }

  @AfterAll
  static void close() {
    String all = String.join("\n", answers);
    for (String token :
        List.of("jf-token-1234567890", "plex-token-abcdefghij", CONFIG_TOKEN, "wrong-token-000")) {
      assertFalse(all.contains(token), "a token appeared in an answer");
    }
    TestNode.await(vertx.close());
  }

  @AfterEach
  void cleanUp() {
    jellyfin.behave(MediaServerSimulator.Behaviour.NORMAL);
    node.sql("DELETE FROM media_servers WHERE source = 'api'");
  }

  static HttpResponse<Buffer> call(HttpMethod method, String path, Object body) {
    HttpResponse<Buffer> r = node.send(method, path, TestNode.ADMIN_KEY, body);
    answers.add(r.bodyAsString() == null ? "" : r.bodyAsString());
    return r;
  }

  static JsonObject body(String name, ServerType type, String url, String token) {
    return new JsonObject()
        .put("name", name)
        .put("type", type.id())
        .put("url", url)
        .put("token", token)
        .put("poll_interval_seconds", 60);
  }

  static String field(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field");
  }

  @Test
  void aJellyfinServerIsCheckedAndStoredWithItsOwnIdentity() {
    HttpResponse<Buffer> r =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("living room", ServerType.JELLYFIN, jellyfin.baseUrl() + "/", jellyfin.token()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject s = r.bodyAsJsonObject();
    String ownId = Fixtures.object(Fixtures.JELLYFIN_SYSTEM_INFO).getString("Id");
    assertEquals(MediaIds.server(ServerType.JELLYFIN, ownId).toString(), s.getString("id"));
    assertEquals(ownId, s.getString("server_own_id"));
    assertEquals("10.10.7", s.getString("version"));
    assertEquals(jellyfin.baseUrl(), s.getString("url"), "trailing slash removed");
    assertEquals(true, s.getBoolean("token_set"));
    assertFalse(s.containsKey("token"));
    assertEquals("api", s.getString("source"));
    assertTrue(jellyfin.requests().contains("GET /System/Info"));

    JsonArray items =
        call(HttpMethod.GET, "/api/v1/analytics/servers", null)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(2, items.size(), "the config server and this one");
    assertEquals(
        200,
        call(HttpMethod.GET, "/api/v1/analytics/servers/" + s.getString("id"), null).statusCode());

    // the same server twice (other name) is a conflict; so is the same name
    assertEquals(
        409,
        call(
                HttpMethod.POST,
                "/api/v1/analytics/servers",
                body("again", ServerType.JELLYFIN, jellyfin.baseUrl(), jellyfin.token()))
            .statusCode());
    assertEquals(
        409,
        call(
                HttpMethod.POST,
                "/api/v1/analytics/servers?validate=false",
                body("living room", ServerType.JELLYFIN, jellyfin.baseUrl(), jellyfin.token()))
            .statusCode());
  }

  @Test
  void aPlexServerIsCheckedWithIdentityAndSessions() {
    HttpResponse<Buffer> r =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("plex", ServerType.PLEX, plex.baseUrl(), plex.token()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String machine =
        Fixtures.object(Fixtures.PLEX_IDENTITY)
            .getJsonObject("MediaContainer")
            .getString("machineIdentifier");
    assertEquals(machine, r.bodyAsJsonObject().getString("server_own_id"));
    assertTrue(plex.requests().contains("GET /identity"));
    assertTrue(plex.requests().contains("GET /status/sessions"));
  }

  @Test
  void aRefusedTokenIs422NamingTokenAndNothingIsStored() {
    String before = node.snapshot("media_servers");
    HttpResponse<Buffer> r =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("jf", ServerType.JELLYFIN, jellyfin.baseUrl(), "wrong-token-000"));
    assertEquals(422, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals("token", field(r));
    assertTrue(r.bodyAsJsonObject().getString("detail").contains("HTTP 401"), r.bodyAsString());

    HttpResponse<Buffer> p =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("px", ServerType.PLEX, plex.baseUrl(), "wrong-token-000"));
    assertEquals(422, p.statusCode(), p.bodyAsString());
    assertEquals("token", field(p));
    assertTrue(
        p.bodyAsJsonObject().getString("detail").contains("401 Unauthorized"),
        "quotes Plex's page: " + p.bodyAsString());
    assertEquals(before, node.snapshot("media_servers"));
  }

  @Test
  void anUnreachableOrGarbageServerIs422NamingUrlAndQuotingTheAnswer() {
    String before = node.snapshot("media_servers");
    HttpResponse<Buffer> closed =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("jf", ServerType.JELLYFIN, "http://127.0.0.1:9", "some-token"));
    assertEquals(422, closed.statusCode(), closed.bodyAsString());
    assertEquals("url", field(closed));
    assertTrue(
        closed.bodyAsJsonObject().getString("detail").contains("could not be reached"),
        closed.bodyAsString());

    jellyfin.behave(MediaServerSimulator.Behaviour.HTML);
    HttpResponse<Buffer> html =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("jf", ServerType.JELLYFIN, jellyfin.baseUrl(), jellyfin.token()));
    assertEquals(422, html.statusCode(), html.bodyAsString());
    assertEquals("url", field(html));
    assertTrue(
        html.bodyAsJsonObject().getString("detail").contains("<title>Sign in</title>"),
        html.bodyAsString());

    jellyfin.behave(MediaServerSimulator.Behaviour.SERVER_ERROR);
    HttpResponse<Buffer> error =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("jf", ServerType.JELLYFIN, jellyfin.baseUrl(), jellyfin.token()));
    assertEquals(422, error.statusCode());
    assertTrue(
        error
            .bodyAsJsonObject()
            .getString("detail")
            .contains("HTTP 500: \"Internal Server Error\""),
        error.bodyAsString());
    assertEquals(before, node.snapshot("media_servers"));
  }

  @Test
  void validateFalseStoresAnUnreachableServerUnderARandomId() {
    HttpResponse<Buffer> r =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers?validate=false",
            body("later", ServerType.EMBY, "https://emby.example.invalid:8920", "emby-token")
                .put("enabled", false));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertNull(r.bodyAsJsonObject().getString("server_own_id"));
    assertEquals("disabled", r.bodyAsJsonObject().getString("status"));
    assertEquals(
        400,
        call(
                HttpMethod.POST,
                "/api/v1/analytics/servers?validate=maybe",
                body("x", ServerType.EMBY, "https://e.invalid", "t"))
            .statusCode());
  }

  @Test
  void badInputIs400NamingTheField() {
    String before = node.snapshot("media_servers");
    String url = jellyfin.baseUrl();
    assertEquals("url", field(bad(body("a", ServerType.JELLYFIN, "ftp://host/x", "t"))));
    assertEquals("url", field(bad(body("a", ServerType.JELLYFIN, "not a url", "t"))));
    assertEquals("url", field(bad(body("a", ServerType.JELLYFIN, "http://host:1/?x=1", "t"))));
    assertEquals("type", field(bad(body("a", ServerType.JELLYFIN, url, "t").put("type", "kodi"))));
    assertEquals("token", field(bad(body("a", ServerType.JELLYFIN, url, "  "))));
    assertEquals("token", field(bad(body("a", ServerType.JELLYFIN, url, "t").put("token", 42))));
    assertEquals(
        "poll_interval_seconds",
        field(bad(body("a", ServerType.JELLYFIN, url, "t").put("poll_interval_seconds", 0))));
    assertEquals(
        "poll_interval_seconds",
        field(bad(body("a", ServerType.JELLYFIN, url, "t").put("poll_interval_seconds", 61))));
    assertEquals("name", field(bad(body("a", ServerType.JELLYFIN, url, "t").putNull("name"))));
    assertEquals(
        "enabled", field(bad(body("a", ServerType.JELLYFIN, url, "t").put("enabled", "yes"))));
    assertEquals("body", field(bad(null)));
    assertEquals(before, node.snapshot("media_servers"));
  }

  private static HttpResponse<Buffer> bad(JsonObject body) {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/api/v1/analytics/servers", body);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    return r;
  }

  @Test
  void patchChangesOnlyWhatIsSentAndDeleteForgets() {
    HttpResponse<Buffer> created =
        call(
            HttpMethod.POST,
            "/api/v1/analytics/servers",
            body("den", ServerType.PLEX, plex.baseUrl(), plex.token()));
    String id = created.bodyAsJsonObject().getString("id");
    String path = "/api/v1/analytics/servers/" + id;

    HttpResponse<Buffer> patched =
        call(
            HttpMethod.PATCH,
            path,
            new JsonObject().put("poll_interval_seconds", 30).put("enabled", false));
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    assertEquals(30, patched.bodyAsJsonObject().getInteger("poll_interval_seconds"));
    assertEquals("den", patched.bodyAsJsonObject().getString("name"));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM media_servers WHERE id = '"
                + id
                + "' AND token = '"
                + plex.token()
                + "'"));

    assertEquals("type", field(patchBad(path, new JsonObject().put("type", "jellyfin"))));
    assertEquals(
        "poll_interval_seconds",
        field(patchBad(path, new JsonObject().put("poll_interval_seconds", 99))));
    HttpResponse<Buffer> refused =
        call(HttpMethod.PATCH, path, new JsonObject().put("token", "wrong-token-000"));
    assertEquals(422, refused.statusCode(), refused.bodyAsString());
    assertEquals("token", field(refused));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM media_servers WHERE id = '"
                + id
                + "' AND token = '"
                + plex.token()
                + "'"),
        "nothing half-changed");

    assertEquals(
        404,
        call(
                HttpMethod.PATCH,
                "/api/v1/analytics/servers/" + UUID.randomUUID(),
                new JsonObject().put("enabled", true))
            .statusCode());
    assertEquals(
        400, call(HttpMethod.GET, "/api/v1/analytics/servers/not-a-uuid", null).statusCode());
    assertEquals(204, call(HttpMethod.DELETE, path, null).statusCode());
    assertEquals(404, call(HttpMethod.GET, path, null).statusCode());
    assertEquals(404, call(HttpMethod.DELETE, path, null).statusCode());
  }

  private static HttpResponse<Buffer> patchBad(String path, JsonObject body) {
    HttpResponse<Buffer> r = call(HttpMethod.PATCH, path, body);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    return r;
  }

  @Test
  void configServersAreListedButChangedOnlyInTheFile() {
    JsonObject s =
        call(HttpMethod.GET, "/api/v1/analytics/servers", null)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("name").equals("from-config"))
            .findFirst()
            .orElseThrow();
    assertEquals("config", s.getString("source"));
    assertEquals("emby", s.getString("type"));
    assertEquals("http://127.0.0.1:9", s.getString("url"));
    assertEquals(true, s.getBoolean("token_set"));
    String path = "/api/v1/analytics/servers/" + s.getString("id");
    HttpResponse<Buffer> patch =
        call(HttpMethod.PATCH, path, new JsonObject().put("enabled", true));
    assertEquals(409, patch.statusCode());
    assertTrue(
        patch.bodyAsJsonObject().getString("detail").contains("config"), patch.bodyAsString());
    assertEquals(409, call(HttpMethod.DELETE, path, null).statusCode());
  }

  @Test
  void onlyAdminsSeeServersAndHealthListsThem() {
    assertEquals(403, node.get("/api/v1/analytics/servers", TestNode.VIEWER_KEY).statusCode());
    assertEquals(
        403,
        node.post(
                "/api/v1/analytics/servers",
                TestNode.INGEST_KEY,
                body("x", ServerType.PLEX, plex.baseUrl(), plex.token()))
            .statusCode());
    HttpResponse<Buffer> health = node.get("/health/ready", null);
    answers.add(health.bodyAsString());
    assertEquals(200, health.statusCode());
    JsonArray servers =
        health.bodyAsJsonObject().getJsonObject("checks").getJsonArray("media_servers");
    assertNotEquals(null, servers, health.bodyAsString());
    assertTrue(
        servers.stream()
            .map(JsonObject.class::cast)
            .anyMatch(
                o ->
                    o.getString("name").equals("from-config")
                        && o.getString("status").equals("disabled")),
        health.bodyAsString());
  }
}
