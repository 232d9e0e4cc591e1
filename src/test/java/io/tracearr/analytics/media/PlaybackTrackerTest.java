package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.session.SessionInput;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlaybackTrackerTest {

  static final UUID SERVER =
      MediaIds.server(ServerType.JELLYFIN, "3f2b5c1d9e8a4b7c8d6e5f4a3b2c1d0e");
  static final PollResult DOWN = PollResult.unreachable("connection refused");

  static ObservedPlayback play(String key, String item) {
    return play(key, item, "u1");
  }

  static ObservedPlayback play(String key, String item, String user) {
    return new PlaybackBuilder()
            .keys(key, key, item)
            .user(user, "walter")
            .device("dev-" + key, "Pixel 8", "Jellyfin Android", null, "203.0.113.24")
            .state("playing", 12.5)
            .stream(false, "1080p", 8000)
            .content("movie", "Heat", null, null, null, 1995, 10200.0)
            .build();
  }

  // the playbacks of both scenario tables: two items on server session A, one on B
  static final ObservedPlayback A1 = play("A", "1");
  static final ObservedPlayback A2 = play("A", "2");
  static final ObservedPlayback B1 = play("B", "1");

  static PollResult seen(ObservedPlayback... playing) {
    return PollResult.seen(List.of(playing));
  }

  /** A fresh tracker after {@link #run}'s steps, and the trace of its last step. */
  record Run(PlaybackTracker tracker, List<String> lastTrace) {}

  /**
   * Runs the steps (polls, and {@link Confirmation}s in the confirmation table) on a fresh tracker;
   * the trace of the last step has its commands named "start A/1#0" etc.
   */
  static Run run(List<?> steps) {
    PlaybackTracker tracker = new PlaybackTracker(SERVER);
    List<SessionCommand> last = List.of();
    List<PollResult> named = new ArrayList<>();
    for (Object step : steps) {
      if (step instanceof PollResult poll) {
        last = tracker.apply(poll);
        named.add(poll);
      } else {
        Confirmation c = (Confirmation) step;
        last = tracker.confirm(c.playing());
        named.add(PollResult.seen(c.playing()));
      }
    }
    return new Run(tracker, render(last, named));
  }

  static List<String> render(List<SessionCommand> commands, List<PollResult> polls) {
    Map<UUID, String> names = new HashMap<>();
    for (PollResult poll : polls) {
      if (!(poll instanceof PollResult.Seen s)) continue;
      for (ObservedPlayback p : s.playing()) {
        for (int replay = 0; replay < 3; replay++) {
          names.put(
              MediaIds.session(SERVER, p.serverSessionKey(), p.itemId(), replay),
              p.serverSessionKey() + "/" + p.itemId() + "#" + replay);
        }
      }
    }
    List<String> out = new ArrayList<>();
    for (SessionCommand c : commands) {
      String name = names.getOrDefault(c.sessionId(), c.sessionId().toString());
      if (c instanceof SessionCommand.Start) out.add("start " + name);
      else if (c instanceof SessionCommand.Heartbeat) out.add("beat " + name);
      else if (c instanceof SessionCommand.End e) out.add("end " + name + " " + e.reason());
    }
    return out;
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of(
            "a new playback starts and gets its first heartbeat in the same poll",
            List.of(seen(A1)),
            List.of("start A/1#0", "beat A/1#0")),
        Arguments.of(
            "a re-poll of the same playback is a heartbeat only",
            List.of(seen(A1), seen(A1)),
            List.of("beat A/1#0")),
        Arguments.of(
            "a new item on the same server session ends the old session and starts a new one",
            List.of(seen(A1), seen(A2)),
            List.of("end A/1#0 client", "start A/2#0", "beat A/2#0")),
        Arguments.of(
            "another user on the same session and item is another playback",
            List.of(seen(A1), seen(play("A", "1", "u2"))),
            List.of("end A/1#0 client", "start A/1#1", "beat A/1#1")),
        Arguments.of("one missed poll ends nothing", List.of(seen(A1), seen()), List.of()),
        Arguments.of(
            "missing from two consecutive polls ends with reason client",
            List.of(seen(A1), seen(), seen()),
            List.of("end A/1#0 client")),
        Arguments.of(
            "ended once, a third miss sends nothing more",
            List.of(seen(A1), seen(), seen(), seen()),
            List.of()),
        Arguments.of(
            "seen again after one miss resets the count",
            List.of(seen(A1), seen(), seen(A1), seen()),
            List.of()),
        Arguments.of(
            "an unreachable server ends nothing, however long",
            List.of(seen(A1), DOWN, DOWN, DOWN, DOWN),
            List.of()),
        Arguments.of(
            "an unreachable poll does not count as a miss",
            List.of(seen(A1), seen(), DOWN),
            List.of()),
        Arguments.of(
            "misses on both sides of an outage are consecutive successful polls",
            List.of(seen(A1), seen(), DOWN, seen()),
            List.of("end A/1#0 client")),
        Arguments.of(
            "back from an outage, the playback continues with heartbeats",
            List.of(seen(A1), DOWN, DOWN, seen(A1)),
            List.of("beat A/1#0")),
        Arguments.of(
            "watching the same item again on the same session after it ended is a new session",
            List.of(seen(A1), seen(), seen(), seen(A1)),
            List.of("start A/1#1", "beat A/1#1")),
        Arguments.of(
            "two sessions are tracked independently",
            List.of(seen(A1, B1), seen(B1), seen(B1)),
            List.of("end A/1#0 client", "beat B/1#0")),
        Arguments.of(
            "a session key listed twice in one answer is one playback",
            List.of(seen(A1, A1)),
            List.of("start A/1#0", "beat A/1#0")),
        Arguments.of(
            "nothing playing on an empty tracker sends nothing", List.of(seen()), List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void commandsOfTheLastPoll(String name, List<PollResult> polls, List<String> expected) {
    assertEquals(expected, run(polls).lastTrace());
  }

  /** A confirming answer in a trace (the watcher's short re-poll after a poll that missed). */
  record Confirmation(List<ObservedPlayback> playing) {}

  static Confirmation confirmed(ObservedPlayback... playing) {
    return new Confirmation(List.of(playing));
  }

  static Stream<Arguments> confirmations() {
    return Stream.of(
        Arguments.of(
            "missing from the poll and from its confirmation ends at the confirmation",
            List.of(seen(A1), seen(), confirmed()),
            List.of("end A/1#0 client"),
            false),
        Arguments.of(
            "back in the confirmation: nothing ends, nothing is sent",
            List.of(seen(A1), seen(), confirmed(A1)),
            List.of(),
            false),
        Arguments.of(
            "back in the confirmation, the next poll is a heartbeat of the same session",
            List.of(seen(A1), seen(), confirmed(A1), seen(A1)),
            List.of("beat A/1#0"),
            false),
        Arguments.of(
            "back in the confirmation, one more miss is again only one",
            List.of(seen(A1), seen(), confirmed(A1), seen()),
            List.of(),
            true),
        Arguments.of(
            "another item on the session in the confirmation ends the old one; the poll starts the"
                + " new",
            List.of(seen(A1), seen(), confirmed(A2)),
            List.of("end A/1#0 client"),
            false),
        Arguments.of(
            "after that end, the next poll starts the new item",
            List.of(seen(A1), seen(), confirmed(A2), seen(A2)),
            List.of("start A/2#0", "beat A/2#0"),
            false),
        Arguments.of(
            "a confirmation decides only the missed: a new playback in it waits for the poll",
            List.of(seen(A1), seen(), confirmed(A1, B1)),
            List.of(),
            false),
        Arguments.of(
            "a confirmation with nothing missed sends nothing (a playing one is not ended)",
            List.of(seen(A1, B1), confirmed()),
            List.of(),
            false),
        Arguments.of(
            "only the missed one of two ends",
            List.of(seen(A1, B1), seen(B1), confirmed()),
            List.of("end A/1#0 client"),
            false),
        Arguments.of(
            "a confirmation lost to an outage: the next poll's miss still ends it",
            List.of(seen(A1), seen(), DOWN, seen()),
            List.of("end A/1#0 client"),
            false),
        Arguments.of(
            "ended by the confirmation, the next poll sends nothing more",
            List.of(seen(A1), seen(), confirmed(), seen()),
            List.of(),
            false),
        Arguments.of(
            "watched again after the confirmed end is the next replay",
            List.of(seen(A1), seen(), confirmed(), seen(A1)),
            List.of("start A/1#1", "beat A/1#1"),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("confirmations")
  void commandsOfTheLastAnswerWithConfirmations(
      String name, List<Object> steps, List<String> expected, boolean awaitsAfter) {
    Run run = run(steps);
    assertEquals(expected, run.lastTrace());
    assertEquals(awaitsAfter, run.tracker().awaitsConfirmation());
  }

  @Test
  void onlyAPollThatMissedAPlaybackAsksForAConfirmation() {
    PlaybackTracker tracker = new PlaybackTracker(SERVER);
    ObservedPlayback a1 = play("A", "1");
    tracker.seen(List.of());
    assertFalse(tracker.awaitsConfirmation(), "nothing tracked");
    tracker.seen(List.of(a1));
    assertFalse(tracker.awaitsConfirmation(), "seen");
    tracker.apply(DOWN);
    assertFalse(tracker.awaitsConfirmation(), "an outage is not a miss");
    tracker.seen(List.of());
    assertTrue(tracker.awaitsConfirmation(), "missed once");
    tracker.apply(DOWN);
    assertTrue(tracker.awaitsConfirmation(), "still missed once after an outage");
    tracker.confirm(List.of());
    assertFalse(tracker.awaitsConfirmation(), "ended");
    assertEquals(0, tracker.trackedCount());
  }

  @Test
  void aNodeTakingOverDerivesTheSameStartAsTheNodeBefore() {
    List<ObservedPlayback> playing =
        JellyfinSessions.parse(Fixtures.array(Fixtures.JELLYFIN_SESSIONS));
    List<SessionCommand> first = new PlaybackTracker(SERVER).seen(playing);
    List<SessionCommand> second = new PlaybackTracker(SERVER).seen(playing);
    assertEquals(first, second);
  }

  @Test
  void theStartBodyOfTheFixtureEpisode() {
    ObservedPlayback episode =
        JellyfinSessions.parse(Fixtures.array(Fixtures.JELLYFIN_SESSIONS)).get(0);
    SessionCommand.Start start =
        (SessionCommand.Start) new PlaybackTracker(SERVER).seen(List.of(episode)).get(0);
    JsonObject expected =
        new JsonObject()
            .put("id", "1db18d0a-5c11-5327-9cf3-2894c727e707")
            .put("user_id", "a46c515d-c958-5ef3-bfa6-eb5e28452760")
            .put("content_type", "episode")
            .put("content_id", "2db50819-9972-5c05-8592-1304b1e03e3a")
            .put("content_title", "Cat's in the Bag...")
            .put("client_name", "Jellyfin Android")
            .put("device_name", "Pixel 8")
            .put("ip_address", "203.0.113.24")
            .put("transcoded", true)
            .put("device_id", "f8d73810-a8a9-55e3-b3b0-a899ef399059")
            .put("resolution", "720p")
            .put("bandwidth_kbps", 4616)
            .put("user_name", "walter")
            .put("series_title", "Breaking Bad")
            .put("season_number", 1)
            .put("episode_number", 2)
            .put("year", 2008)
            .put("media_duration_seconds", 2880.0)
            .put("server_id", SERVER.toString());
    assertEquals(expected, start.body());
    assertEquals(UUID.fromString("1db18d0a-5c11-5327-9cf3-2894c727e707"), start.sessionId());
  }

  @Test
  void theFirstHeartbeatCarriesPositionAndPause() {
    ObservedPlayback movie =
        JellyfinSessions.parse(Fixtures.array(Fixtures.JELLYFIN_SESSIONS)).get(1);
    SessionCommand.Heartbeat hb =
        (SessionCommand.Heartbeat) new PlaybackTracker(SERVER).seen(List.of(movie)).get(1);
    assertEquals(
        new JsonObject()
            .put("status", "paused")
            .put("position_seconds", 3600.0)
            .put("transcoded", false)
            .put("resolution", "1080p")
            .put("ip_address", "192.168.1.42"),
        hb.body());
  }

  static Stream<Arguments> fixturePlaybacks() throws MalformedPayload {
    List<Arguments> all = new ArrayList<>();
    for (ObservedPlayback p : JellyfinSessions.parse(Fixtures.array(Fixtures.JELLYFIN_SESSIONS))) {
      all.add(Arguments.of("jellyfin " + p.contentType() + " " + p.title(), p));
    }
    for (ObservedPlayback p : PlexSessions.parse(Fixtures.object(Fixtures.PLEX_STATUS_SESSIONS))) {
      all.add(Arguments.of("plex " + p.contentType() + " " + p.title(), p));
    }
    ObservedPlayback bare = new PlaybackBuilder().keys("k", null, "i").user("u", null).build();
    all.add(Arguments.of("a playback the server named nothing about", bare));
    return all.stream();
  }

  /**
   * The registry's own validation (SessionInput, shared by REST and WebSocket ingest) accepts what
   * we send.
   */
  @ParameterizedTest(name = "the registry accepts the start and heartbeat of {0}")
  @MethodSource("fixturePlaybacks")
  void bodiesPassTheRegistryValidation(String name, ObservedPlayback p) {
    List<SessionCommand> commands = new PlaybackTracker(SERVER).seen(List.of(p));
    SessionCommand.Start start = (SessionCommand.Start) commands.get(0);
    SessionCommand.Heartbeat hb = (SessionCommand.Heartbeat) commands.get(1);
    SessionInput.Start s = SessionInput.start(start.body(), Instant.now());
    SessionInput.Heartbeat h = SessionInput.heartbeat(hb.body());
    assertEquals(start.sessionId(), s.id());
    assertTrue(s.clientChoseId());
    assertEquals(p.status(), h.status());
  }

  @Test
  void aPlaybackWithoutNamesGetsPlaceholdersNotARefusal() {
    ObservedPlayback bare = new PlaybackBuilder().keys("k", null, "i").user("u", null).build();
    JsonObject body =
        ((SessionCommand.Start) new PlaybackTracker(SERVER).seen(List.of(bare)).get(0)).body();
    assertEquals("unknown", body.getString("client_name"));
    assertEquals("unknown", body.getString("device_name"));
    assertEquals("0.0.0.0", body.getString("ip_address"));
    assertFalse(body.containsKey("device_id"));
    assertFalse(body.containsKey("user_name"));
  }

  @Test
  void overlongNamesAreCutToTheRegistryLimits() {
    String longName = "x".repeat(500);
    ObservedPlayback p =
        new PlaybackBuilder()
            .keys("k", "k", "i")
            .user("u", "walter")
            .device("d", longName, longName, null, "192.0.2.1")
            .content("movie", longName, null, null, null, null, null)
            .build();
    JsonObject body =
        ((SessionCommand.Start) new PlaybackTracker(SERVER).seen(List.of(p)).get(0)).body();
    assertEquals(300, body.getString("content_title").length());
    assertEquals(100, body.getString("client_name").length());
    assertEquals(100, body.getString("device_name").length());
    SessionInput.start(body, Instant.now());
  }

  @Test
  void theTrackerKnowsTheControlIdOfItsSessions() throws MalformedPayload {
    PlaybackTracker tracker = new PlaybackTracker(SERVER);
    List<SessionCommand> commands =
        tracker.seen(PlexSessions.parse(Fixtures.object(Fixtures.PLEX_STATUS_SESSIONS)));
    UUID first = commands.get(0).sessionId();
    assertEquals("k2m9x7q4w1e8r5t3y6u0i2o4", tracker.playbackOf(first).orElseThrow().controlId());
    assertEquals(3, tracker.trackedCount());
  }

  @Test
  void theEndBodyNamesTheReason() {
    assertEquals(
        new JsonObject().put("ended_reason", "client"),
        new SessionCommand.End(UUID.randomUUID(), "client").body());
  }

  @Test
  void aSessionTheRegistryHasAlreadyEndedContinuesAsTheNextReplay() {
    PlaybackTracker tracker = new PlaybackTracker(SERVER);
    ObservedPlayback p = play("k1", "item-1");
    UUID first = tracker.seen(List.of(p)).get(0).sessionId();
    List<SessionCommand> restart = tracker.alreadyEnded(first);
    assertEquals(2, restart.size(), "a start and its first heartbeat");
    assertTrue(restart.get(0) instanceof SessionCommand.Start);
    assertEquals(MediaIds.session(SERVER, "k1", "item-1", 1), restart.get(0).sessionId());
    assertEquals(1, tracker.trackedCount());
    assertEquals(List.of(), tracker.alreadyEnded(first), "no longer ours");
    // the next poll heartbeats the replay, not the ended one
    assertEquals(
        MediaIds.session(SERVER, "k1", "item-1", 1), tracker.seen(List.of(p)).get(0).sessionId());
  }
}
