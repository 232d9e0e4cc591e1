package io.tracearr.analytics.gateway.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.auth.Role;
import io.vertx.core.json.JsonArray;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which frames a dashboard socket gets, by role and subscription (docs/architecture.md, "Live").
 */
class SubscriptionTest {

  private static final UUID ALICE = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID BOB = UUID.fromString("00000000-0000-0000-0000-00000000000b");

  private static final Principal VIEWER = new Principal("viewer", Set.of(Role.VIEWER), null);
  private static final Principal ADMIN = new Principal("admin", Set.of(Role.ADMIN), null);
  private static final Principal ALICE_USER = new Principal("alice", Set.of(Role.USER), ALICE);
  private static final Principal ALICE_VIEWER =
      new Principal("alice", Set.of(Role.USER, Role.VIEWER), ALICE);
  private static final Principal USER_WITHOUT_ID = new Principal("jwt", Set.of(Role.USER), null);
  private static final Principal INGEST = new Principal("ingest", Set.of(Role.INGEST), null);

  private static final Topic CONTROL = null;
  private static final String NOBODY = null;
  private static final JsonArray DEFAULT = null;

  static Stream<Arguments> deliveries() {
    return Stream.of(
        // who, subscribe request (null: none sent), frame topic, frame's user, delivered?
        row("a viewer gets another user's session", VIEWER, DEFAULT, Topic.SESSIONS, BOB, true),
        row("a viewer gets any user's alert", VIEWER, DEFAULT, Topic.ALERTS, ALICE, true),
        row("a viewer gets service-wide stats", VIEWER, DEFAULT, Topic.STATS, NOBODY, true),
        row("an admin reads like a viewer", ADMIN, DEFAULT, Topic.SESSIONS, BOB, true),
        row("a viewer gets control frames", VIEWER, DEFAULT, CONTROL, NOBODY, true),
        row("a user gets its own session", ALICE_USER, DEFAULT, Topic.SESSIONS, ALICE, true),
        row("a user gets its own alert", ALICE_USER, DEFAULT, Topic.ALERTS, ALICE, true),
        row(
            "a user does not get another user's session",
            ALICE_USER,
            DEFAULT,
            Topic.SESSIONS,
            BOB,
            false),
        row(
            "a user does not get another user's alert",
            ALICE_USER,
            DEFAULT,
            Topic.ALERTS,
            BOB,
            false),
        row(
            "a user gets no stats: they count everyone",
            ALICE_USER,
            DEFAULT,
            Topic.STATS,
            NOBODY,
            false),
        row(
            "a user gets no stats even about itself",
            ALICE_USER,
            DEFAULT,
            Topic.STATS,
            ALICE,
            false),
        row(
            "a user gets no session event that names no user",
            ALICE_USER,
            DEFAULT,
            Topic.SESSIONS,
            NOBODY,
            false),
        row("a user gets control frames", ALICE_USER, DEFAULT, CONTROL, NOBODY, true),
        row(
            "a user token without a user id gets no events",
            USER_WITHOUT_ID,
            DEFAULT,
            Topic.SESSIONS,
            NOBODY,
            false),
        row(
            "a user token without a user id still gets control frames",
            USER_WITHOUT_ID,
            DEFAULT,
            CONTROL,
            NOBODY,
            true),
        row("user plus viewer reads everything", ALICE_VIEWER, DEFAULT, Topic.SESSIONS, BOB, true),
        row(
            "an ingest-only token (refused at the door anyway) gets no events",
            INGEST,
            DEFAULT,
            Topic.SESSIONS,
            ALICE,
            false),
        row(
            "a viewer subscribed to alerts gets alerts",
            VIEWER,
            topics("alerts"),
            Topic.ALERTS,
            BOB,
            true),
        row(
            "a viewer subscribed to alerts gets no sessions",
            VIEWER,
            topics("alerts"),
            Topic.SESSIONS,
            BOB,
            false),
        row(
            "a viewer subscribed to alerts gets no stats",
            VIEWER,
            topics("alerts"),
            Topic.STATS,
            NOBODY,
            false),
        row(
            "control frames pass whatever the subscription",
            VIEWER,
            topics("stats"),
            CONTROL,
            NOBODY,
            true),
        row(
            "a user asking for stats still gets none",
            ALICE_USER,
            topics("stats", "sessions"),
            Topic.STATS,
            NOBODY,
            false),
        row(
            "a user subscribed to sessions still gets only its own",
            ALICE_USER,
            topics("sessions"),
            Topic.SESSIONS,
            BOB,
            false),
        row(
            "a user subscribed to sessions gets no alerts",
            ALICE_USER,
            topics("sessions"),
            Topic.ALERTS,
            ALICE,
            false),
        row(
            "a refused request leaves the topics as they were",
            VIEWER,
            topics("sessions", "bogus"),
            Topic.ALERTS,
            BOB,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deliveries")
  void delivery(
      String name,
      Principal who,
      JsonArray request,
      Topic topic,
      UUID frameUser,
      boolean delivered) {
    Subscription s = new Subscription(who);
    if (request != null) s.subscribe(request);

    assertEquals(delivered, s.wants(topic, frameUser == null ? null : frameUser.toString()));
  }

  static Stream<Arguments> requests() {
    return Stream.of(
        // who, request, accepted?, topics afterwards (the role's default before any request)
        row(
            "a viewer starts with every topic",
            VIEWER,
            DEFAULT,
            true,
            List.of("sessions", "alerts", "stats")),
        row(
            "a user starts with sessions and alerts",
            ALICE_USER,
            DEFAULT,
            true,
            List.of("sessions", "alerts")),
        row(
            "a request replaces the topics, it does not add to them",
            VIEWER,
            topics("alerts"),
            true,
            List.of("alerts")),
        row(
            "topics come back in a fixed order",
            VIEWER,
            topics("stats", "sessions"),
            true,
            List.of("sessions", "stats")),
        row(
            "a repeated topic counts once",
            VIEWER,
            topics("alerts", "alerts"),
            true,
            List.of("alerts")),
        row(
            "a user's request is cut to what it may read",
            ALICE_USER,
            topics("stats", "alerts"),
            true,
            List.of("alerts")),
        row(
            "a user asking only for stats is accepted with no topics",
            ALICE_USER,
            topics("stats"),
            true,
            List.of()),
        row(
            "an empty list is refused",
            VIEWER,
            new JsonArray(),
            false,
            List.of("sessions", "alerts", "stats")),
        row(
            "an unknown topic refuses the whole request",
            VIEWER,
            topics("alerts", "bogus"),
            false,
            List.of("sessions", "alerts", "stats")),
        row(
            "topic names are case-sensitive",
            VIEWER,
            topics("Alerts"),
            false,
            List.of("sessions", "alerts", "stats")),
        row(
            "a name that is not a string is refused",
            VIEWER,
            new JsonArray().add(1),
            false,
            List.of("sessions", "alerts", "stats")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void subscribe(
      String name, Principal who, JsonArray request, boolean accepted, List<String> after) {
    Subscription s = new Subscription(who);

    if (request != null) assertEquals(accepted, s.subscribe(request));
    assertEquals(new JsonArray(after), s.topicNames());
    EnumSet<Topic> expected = EnumSet.noneOf(Topic.class);
    for (String t : after) expected.add(Topic.parse(t).orElseThrow());
    assertEquals(expected, s.topics());
  }

  static Stream<Arguments> notArrays() {
    return Stream.of(
        Arguments.of("a bare topic name is refused", "alerts"),
        Arguments.of("a missing topics field is refused", null),
        Arguments.of(
            "an object is refused", new io.vertx.core.json.JsonObject().put("alerts", true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notArrays")
  void requestsThatAreNoListAreRefused(String name, Object request) {
    Subscription s = new Subscription(VIEWER);
    var before = s.topics();

    assertEquals(false, s.subscribe(request));
    assertEquals(before, s.topics());
  }

  @Test
  void importProgressGoesToAdminsOnly() {
    assertEquals(true, new Subscription(ADMIN).wants(Topic.IMPORTS, null));
    assertEquals(false, new Subscription(VIEWER).wants(Topic.IMPORTS, null));
    Subscription viewer = new Subscription(VIEWER);
    viewer.subscribe(topics("imports", "sessions"));
    assertEquals(EnumSet.of(Topic.SESSIONS), viewer.topics());
  }

  private static JsonArray topics(String... names) {
    return new JsonArray(List.of((Object[]) names));
  }

  private static Arguments row(Object... cells) {
    return Arguments.of(cells);
  }
}
