package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PushMessagesTest {

  static Stream<Arguments> mediaBrowser() {
    return Stream.of(
        Arguments.of(
            "a Sessions message carries the playing sessions",
            Fixtures.text(Fixtures.JELLYFIN_WS_SESSIONS),
            new PushSignal.SessionsSnapshot(
                JellyfinSessions.parse(Fixtures.array(Fixtures.JELLYFIN_SESSIONS)).subList(0, 1))),
        Arguments.of(
            "Sessions with only idle clients is an empty snapshot",
            "{\"MessageType\": \"Sessions\", \"Data\": [{\"Id\": \"s\", \"UserId\": \"u\"}]}",
            new PushSignal.SessionsSnapshot(List.of())),
        Arguments.of(
            "ForceKeepAlive asks for a KeepAlive",
            "{\"MessageType\": \"ForceKeepAlive\", \"Data\": 60}",
            new PushSignal.KeepAliveRequested(60)),
        Arguments.of(
            "PlaybackStopped means poll now",
            "{\"MessageType\": \"PlaybackStopped\", \"Data\": {\"Id\": \"s1\"}}",
            new PushSignal.PollNow("PlaybackStopped", List.of("s1"))),
        Arguments.of(
            "PlaybackStart without data still means poll now",
            "{\"MessageType\": \"PlaybackStart\"}",
            new PushSignal.PollNow("PlaybackStart", List.of())),
        Arguments.of(
            "a KeepAlive echo is ignored",
            "{\"MessageType\": \"KeepAlive\"}",
            new PushSignal.Ignored("KeepAlive")),
        Arguments.of(
            "LibraryChanged says nothing about playback",
            "{\"MessageType\": \"LibraryChanged\", \"Data\": {}}",
            new PushSignal.Ignored("LibraryChanged")),
        Arguments.of(
            "Sessions whose Data is not an array is unreadable",
            "{\"MessageType\": \"Sessions\", \"Data\": \"0,1500\"}",
            new PushSignal.Unreadable("Sessions without a session array")),
        Arguments.of(
            "no MessageType is unreadable",
            "{\"Data\": []}",
            new PushSignal.Unreadable("no MessageType")),
        Arguments.of(
            "HTML is unreadable", "<html></html>", new PushSignal.Unreadable("not a JSON object")),
        Arguments.of(
            "a JSON array is unreadable", "[]", new PushSignal.Unreadable("not a JSON object")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mediaBrowser")
  void jellyfinAndEmbyMessages(String name, String text, PushSignal expected) {
    assertEquals(expected, PushMessages.mediaBrowser(text));
  }

  static Stream<Arguments> plex() {
    return Stream.of(
        Arguments.of(
            "a playing notification means poll now, naming its session",
            Fixtures.text(Fixtures.PLEX_NOTIFICATION_PLAYING),
            new PushSignal.PollNow("playing", List.of("41"))),
        Arguments.of(
            "several states of one session name it once",
            "{\"NotificationContainer\": {\"type\": \"playing\", \"PlaySessionStateNotification\": ["
                + "{\"sessionKey\": \"7\", \"state\": \"paused\"}, {\"sessionKey\": \"7\", \"state\": \"playing\"}]}}",
            new PushSignal.PollNow("playing", List.of("7"))),
        Arguments.of(
            "a stopped state is a change too",
            "{\"NotificationContainer\": {\"type\": \"playing\", \"PlaySessionStateNotification\": ["
                + "{\"sessionKey\": 9, \"state\": \"stopped\"}]}}",
            new PushSignal.PollNow("playing", List.of("9"))),
        Arguments.of(
            "a timeline notification is ignored",
            "{\"NotificationContainer\": {\"type\": \"timeline\", \"TimelineEntry\": []}}",
            new PushSignal.Ignored("timeline")),
        Arguments.of(
            "a transcode update is ignored (the poll reads the decision)",
            "{\"NotificationContainer\": {\"type\": \"transcodeSession.update\"}}",
            new PushSignal.Ignored("transcodeSession.update")),
        Arguments.of(
            "no NotificationContainer is unreadable",
            "{\"type\": \"playing\"}",
            new PushSignal.Unreadable("no NotificationContainer")),
        Arguments.of(
            "invalid JSON is unreadable",
            "{\"NotificationContainer\": ",
            new PushSignal.Unreadable("no NotificationContainer")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plex")
  void plexNotifications(String name, String text, PushSignal expected) {
    assertEquals(expected, PushMessages.plex(text));
  }

  @Test
  void theSubscriptionIsWhatJellyfinWebSends() {
    assertEquals(
        new JsonObject().put("MessageType", "SessionsStart").put("Data", "0,1500"),
        new JsonObject(PushMessages.sessionsStart(0, 1500)));
  }

  @Test
  void theKeepAliveHasNoData() {
    assertEquals(
        new JsonObject().put("MessageType", "KeepAlive"), new JsonObject(PushMessages.keepAlive()));
  }

  @Test
  void aSnapshotParsesLikeAPoll() {
    PushSignal s = PushMessages.mediaBrowser(Fixtures.text(Fixtures.JELLYFIN_WS_SESSIONS));
    ObservedPlayback p = assertInstanceOf(PushSignal.SessionsSnapshot.class, s).playing().get(0);
    assertEquals("Breaking Bad", p.seriesTitle());
  }
}
