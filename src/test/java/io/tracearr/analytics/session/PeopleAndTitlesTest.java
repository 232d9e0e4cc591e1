package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13, names: people and titles named on start, carried by every session answer, frame and
 * alert.
 */
class PeopleAndTitlesTest {

  static final String SESSIONS = "/api/v1/analytics/sessions";
  static final String USERS = "/api/v1/analytics/users";
  static final String ALERTS = "/api/v1/analytics/sharing/alerts";
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String PARIS = "90.80.10.7";

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put(
                          "geoip_db_path",
                          Path.of("src/test/resources/geoip/GeoIP2-City-Test.mmdb")
                              .toAbsolutePath()
                              .toString())
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600))));

  static final TestNode node = nodes.node();

  static JsonObject episode(UUID user, UUID content, String userName) {
    JsonObject body =
        SessionBodies.start(user)
            .put("content_id", content.toString())
            .put("content_title", "Cat's in the Bag...")
            .put("series_title", "Breaking Bad")
            .put("season_number", 1)
            .put("episode_number", 2)
            .put("year", 2008)
            .put("media_duration_seconds", 2880.5);
    if (userName != null) body.put("user_name", userName);
    return body;
  }

  static JsonObject started(JsonObject body) {
    var r = node.post(SESSIONS, TestNode.INGEST_KEY, body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject get(String path, String token) {
    var r = node.get(path, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static final JsonObject BREAKING_BAD_1_2 =
      new JsonObject()
          .put("title", "Cat's in the Bag...")
          .put("series_title", "Breaking Bad")
          .put("season_number", 1)
          .put("episode_number", 2)
          .put("year", 2008)
          .put("duration_seconds", 2880.5);

  static void assertNamed(JsonObject session, String userName, String where) {
    assertEquals(userName, session.getString("user_name"), where + ": user_name");
    assertEquals(BREAKING_BAD_1_2, session.getJsonObject("content"), where + ": content");
    assertEquals(
        "Cat's in the Bag...", session.getString("content_title"), where + ": content_title stays");
    assertTrue(
        session.containsKey("server_id") && session.containsKey("server_name"),
        where + ": server fields present");
    assertNull(session.getString("server_id"), where + ": a direct client has no server");
    assertNull(session.getString("server_name"), where);
  }

  @Test
  void namesAreCarriedByEveryAnswerAndFrame() {
    UUID user = UUID.randomUUID();
    try (LiveClient live =
        LiveClient.connect(node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      live.await("snapshot");
      JsonObject s = started(episode(user, UUID.randomUUID(), "Walter White"));
      String id = s.getString("id");
      assertNamed(s, "Walter White", "start answer");
      assertNamed(get(SESSIONS + "/" + id, TestNode.VIEWER_KEY), "Walter White", "GET session");
      JsonArray active =
          get(SESSIONS + "/active?user_id=" + user, TestNode.VIEWER_KEY).getJsonArray("items");
      assertNamed(active.getJsonObject(0), "Walter White", "active");
      JsonArray history =
          get(SESSIONS + "/user/" + user, TestNode.VIEWER_KEY).getJsonArray("items");
      assertNamed(history.getJsonObject(0), "Walter White", "history");
      JsonObject startedFrame = live.await("session.started", d -> id.equals(d.getString("id")));
      assertNamed(startedFrame.getJsonObject("data"), "Walter White", "session.started frame");

      // a heartbeat's frame comes from the flush, which joins nothing: the registry adds the names
      assertEquals(
          204,
          node.put(
                  SESSIONS + "/" + id,
                  TestNode.INGEST_KEY,
                  new JsonObject().put("position_seconds", 30))
              .statusCode());
      JsonObject updated = live.await("session.updated", d -> id.equals(d.getString("id")));
      assertNamed(updated.getJsonObject("data"), "Walter White", "session.updated frame");

      assertEquals(204, node.delete(SESSIONS + "/" + id, TestNode.INGEST_KEY, null).statusCode());
      JsonObject ended = live.await("session.ended", d -> id.equals(d.getString("id")));
      assertNamed(ended.getJsonObject("data"), "Walter White", "session.ended frame");
    }
  }

  @Test
  void theLatestNameWinsAndNoNameErasesNothing() {
    UUID user = UUID.randomUUID();
    UUID content = UUID.randomUUID();
    String first = started(episode(user, content, "Jesse")).getString("id");
    JsonObject second = started(episode(user, content, "Jesse Pinkman"));
    assertEquals("Jesse Pinkman", second.getString("user_name"));
    assertEquals(
        "Jesse Pinkman",
        get(SESSIONS + "/" + first, TestNode.VIEWER_KEY).getString("user_name"),
        "stored once per user: the older session reads the new name");

    JsonObject nameless = SessionBodies.start(user).put("content_id", content.toString());
    nameless.remove("content_title");
    JsonObject third = started(nameless);
    assertEquals(
        "Jesse Pinkman",
        third.getString("user_name"),
        "a start without a name keeps the known one");
    assertEquals(BREAKING_BAD_1_2, third.getJsonObject("content"), "and keeps the item's titles");
    assertNull(third.getString("content_title"), "the session's own content_title is what it said");
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM users WHERE id = '" + user + "' AND name = 'Jesse Pinkman'"));

    JsonObject retitled =
        episode(UUID.randomUUID(), content, null)
            .put("episode_number", 3)
            .put("content_title", "...And the Bag's in the River");
    assertEquals(
        3,
        started(retitled).getJsonObject("content").getInteger("episode_number"),
        "the latest value wins for items too");
    assertEquals(
        "...And the Bag's in the River",
        get(SESSIONS + "/" + first, TestNode.VIEWER_KEY)
            .getJsonObject("content")
            .getString("title"));

    JsonObject direct = started(SessionBodies.start(UUID.randomUUID()));
    assertNull(direct.getString("user_name"), "no name given, none known");
    assertEquals("The Expanse S01E01", direct.getJsonObject("content").getString("title"));
  }

  @Test
  void aServerIdIsKeptAndItsNameShownWhenTheServerIsKnown() {
    // media_servers belongs to the connector concern: the server is added through its API (not
    // checked, not watched)
    var added =
        node.post(
            "/api/v1/analytics/servers?validate=false",
            TestNode.ADMIN_KEY,
            new JsonObject()
                .put("name", "Living Room Jellyfin")
                .put("type", "jellyfin")
                .put("url", "http://127.0.0.1:9")
                .put("token", "not-used")
                .put("enabled", false));
    assertEquals(201, added.statusCode(), added.bodyAsString());
    UUID server = UUID.fromString(added.bodyAsJsonObject().getString("id"));
    JsonObject s =
        started(
            episode(UUID.randomUUID(), UUID.randomUUID(), "Skyler")
                .put("server_id", server.toString()));
    assertEquals(server.toString(), s.getString("server_id"));
    Await.until(
        WAIT,
        "the server's name",
        () ->
            "Living Room Jellyfin"
                .equals(
                    get(SESSIONS + "/" + s.getString("id"), TestNode.VIEWER_KEY)
                        .getString("server_name")));
  }

  static Stream<Arguments> badNames() {
    return Stream.of(
        Arguments.of("user_name", "x".repeat(201)),
        Arguments.of("user_name", "   "),
        Arguments.of("user_name", 42),
        Arguments.of("series_title", "x".repeat(301)),
        Arguments.of("season_number", -1),
        Arguments.of("season_number", 1.5),
        Arguments.of("episode_number", "two"),
        Arguments.of("episode_number", -3),
        Arguments.of("year", 1799),
        Arguments.of("year", 3001),
        Arguments.of("media_duration_seconds", -1),
        Arguments.of("media_duration_seconds", "long"),
        Arguments.of("server_id", "not-a-uuid"),
        Arguments.of("content_title", "x".repeat(301)));
  }

  @ParameterizedTest(name = "{0} = {1} is 400 naming the field")
  @MethodSource("badNames")
  void badNamesAreRefusedNamingTheField(String field, Object value) {
    var r =
        node.post(
            SESSIONS,
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()).put(field, value));
    assertEquals(400, r.statusCode(), r.bodyAsString());
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
    assertEquals(1, errors.size(), r.bodyAsString());
    assertEquals(field, errors.getJsonObject(0).getString("field"));
  }

  @Test
  void peopleAreListedSearchedPagedAndAUserSeesOnlyItself() {
    String tag = "Zq" + Long.toString(System.nanoTime(), 36);
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    started(episode(a, UUID.randomUUID(), tag + " Alpha"));
    started(episode(b, UUID.randomUUID(), tag.toLowerCase() + " Beta"));
    started(episode(c, UUID.randomUUID(), "Someone Else " + UUID.randomUUID()));

    JsonArray found =
        get(USERS + "?q=" + tag.toUpperCase(), TestNode.VIEWER_KEY).getJsonArray("items");
    assertEquals(2, found.size(), "q matches names case-insensitively: " + found);
    assertEquals(
        List.of(b.toString(), a.toString()),
        List.of(found.getJsonObject(0).getString("id"), found.getJsonObject(1).getString("id")),
        "most recently seen first");
    JsonObject person = found.getJsonObject(1);
    assertEquals(tag + " Alpha", person.getString("name"));
    assertEquals(0L, person.getLong("open_alerts"));
    assertEquals(new JsonArray(), person.getJsonArray("servers"));
    assertNotNull(person.getString("first_seen_at"));
    assertNotNull(person.getString("last_seen_at"));

    JsonObject page1 = get(USERS + "?limit=1&q=" + tag, TestNode.VIEWER_KEY);
    assertEquals(1, page1.getJsonArray("items").size());
    assertNotNull(page1.getString("next_cursor"));
    JsonObject page2 =
        get(
            USERS + "?limit=1&q=" + tag + "&before=" + page1.getString("next_cursor"),
            TestNode.VIEWER_KEY);
    assertEquals(a.toString(), page2.getJsonArray("items").getJsonObject(0).getString("id"));
    assertNull(page2.getString("next_cursor"));
    assertEquals(
        0,
        get(USERS + "?q=_", TestNode.VIEWER_KEY).getJsonArray("items").size(),
        "_ is literal, not a wildcard");

    String aToken = node.jwt(a.toString(), List.of("user"), Duration.ofMinutes(5));
    JsonArray own = get(USERS, aToken).getJsonArray("items");
    assertEquals(1, own.size());
    assertEquals(a.toString(), own.getJsonObject(0).getString("id"));
    assertEquals(0, get(USERS + "?q=" + tag + "%20Beta", aToken).getJsonArray("items").size());
    assertEquals(403, node.get(USERS + "/" + b, aToken).statusCode());
    assertEquals(200, node.get(USERS + "/" + a, aToken).statusCode());
    assertEquals(403, node.get(USERS, TestNode.INGEST_KEY).statusCode());
    assertEquals(400, node.get(USERS + "?limit=0", TestNode.VIEWER_KEY).statusCode());
    assertEquals(400, node.get(USERS + "?before=garbage", TestNode.VIEWER_KEY).statusCode());
  }

  @Test
  void aPersonShowsDevicesByNamePlacesAndAlerts() {
    UUID user = UUID.randomUUID();
    List<String> devices = List.of("Living Room TV", "Walter's iPhone", "Office PC", "Garage iPad");
    for (int i = 0; i < devices.size(); i++) {
      started(
          episode(user, UUID.randomUUID(), "Walter White")
              .put("device_id", "dev-" + i)
              .put("device_name", devices.get(i))
              .put("ip_address", PARIS));
    }
    String alerts = ALERTS + "?user_id=" + user + "&type=concurrent_streams";
    Await.until(
        WAIT,
        "a concurrent-streams alert",
        () -> !get(alerts, TestNode.VIEWER_KEY).getJsonArray("items").isEmpty());
    JsonObject alert = get(alerts, TestNode.VIEWER_KEY).getJsonArray("items").getJsonObject(0);
    JsonObject evidence = alert.getJsonObject("evidence");
    assertEquals("Walter White", evidence.getString("user_name"));
    assertEquals(
        new JsonArray(List.of("dev-0", "dev-1", "dev-2", "dev-3")),
        evidence.getJsonArray("devices"));
    assertEquals(
        new JsonArray(devices),
        evidence.getJsonArray("device_names"),
        "each device by its name, beside its key");

    JsonObject person = get(USERS + "/" + user, TestNode.VIEWER_KEY);
    assertEquals("Walter White", person.getString("name"));
    assertEquals(1L, person.getLong("open_alerts"));
    assertEquals(4L, person.getLong("active_sessions"));
    Await.until(
        WAIT,
        "the detector's device ledger",
        () -> get(USERS + "/" + user, TestNode.VIEWER_KEY).getJsonArray("devices").size() == 4);
    JsonArray ledger = get(USERS + "/" + user, TestNode.VIEWER_KEY).getJsonArray("devices");
    JsonObject tv =
        ledger.stream()
            .map(o -> (JsonObject) o)
            .filter(d -> "dev-0".equals(d.getString("device_key")))
            .findFirst()
            .orElseThrow();
    assertEquals("Living Room TV", tv.getString("device_name"));
    assertEquals("Web", tv.getString("client_name"));
    JsonArray places = person.getJsonArray("recent_places");
    assertEquals(1, places.size(), places.encode());
    assertEquals("Paris", places.getJsonObject(0).getString("city"));
    assertEquals(4L, places.getJsonObject(0).getLong("sessions"));
    assertEquals(404, node.get(USERS + "/" + UUID.randomUUID(), TestNode.VIEWER_KEY).statusCode());
  }
}
