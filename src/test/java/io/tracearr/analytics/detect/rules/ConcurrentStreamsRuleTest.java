package io.tracearr.analytics.detect.rules;

import static io.tracearr.analytics.detect.rules.Sessions.USER_NAME;
import static io.tracearr.analytics.detect.rules.Sessions.id;
import static io.tracearr.analytics.detect.rules.Sessions.playing;
import static io.tracearr.analytics.detect.rules.Sessions.session;
import static io.tracearr.analytics.detect.rules.Sessions.withStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConcurrentStreamsRuleTest {

  private final ConcurrentStreamsRule rule = new ConcurrentStreamsRule(3);

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "4 devices concurrently alert at threshold 3",
            List.of(
                playing("s1", "tv"),
                playing("s2", "phone"),
                playing("s3", "tablet"),
                playing("s4", "laptop")),
            Optional.of(Finding.MEDIUM)),
        Arguments.of(
            "3 devices are within the threshold",
            List.of(playing("s1", "tv"), playing("s2", "phone"), playing("s3", "tablet")),
            Optional.empty()),
        Arguments.of(
            "6 sessions on 2 devices do not alert",
            List.of(
                playing("s1", "tv"),
                playing("s2", "tv"),
                playing("s3", "tv"),
                playing("s4", "phone"),
                playing("s5", "phone"),
                playing("s6", "phone")),
            Optional.empty()),
        Arguments.of(
            "back-to-back episodes on one device do not alert",
            List.of(
                session("ep1", "tv", "stopped", Duration.ZERO, null, null),
                session("ep2", "tv", "playing", Duration.ofMinutes(42), null, null),
                session("ep3", "tv", "buffering", Duration.ofMinutes(84), null, null),
                session("ep4", "tv", "paused", Duration.ofMinutes(126), null, null)),
            Optional.empty()),
        Arguments.of(
            "ended and timed-out sessions are not counted",
            List.of(
                playing("s1", "tv"),
                playing("s2", "phone"),
                playing("s3", "tablet"),
                withStatus("s4", "laptop", "stopped"),
                withStatus("s5", "console", "ended"),
                withStatus("s6", "car", "timed_out"),
                withStatus("s7", "watch", null)),
            Optional.empty()),
        Arguments.of(
            "paused and buffering count as active",
            List.of(
                playing("s1", "tv"), withStatus("s2", "phone", "paused"),
                withStatus("s3", "tablet", "buffering"), withStatus("s4", "laptop", "PLAYING")),
            Optional.of(Finding.MEDIUM)),
        Arguments.of(
            "6 devices at threshold 3 is high severity",
            List.of(
                playing("s1", "a"),
                playing("s2", "b"),
                playing("s3", "c"),
                playing("s4", "d"),
                playing("s5", "e"),
                playing("s6", "f")),
            Optional.of(Finding.HIGH)),
        Arguments.of(
            "5 devices at threshold 3 is still medium",
            List.of(
                playing("s1", "a"),
                playing("s2", "b"),
                playing("s3", "c"),
                playing("s4", "d"),
                playing("s5", "e")),
            Optional.of(Finding.MEDIUM)),
        Arguments.of("no sessions, no alert", List.of(), Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluate(String why, List<SessionView> sessions, Optional<String> severity) {
    Optional<Finding> finding = rule.evaluate(sessions);
    assertEquals(severity, finding.map(Finding::severity));
    finding.ifPresent(f -> assertEquals(ConcurrentStreamsRule.ALERT_TYPE, f.alertType()));
  }

  @Test
  void evidenceListsAllActiveSessionsAndSortedDevices() {
    List<SessionView> sessions =
        List.of(
            playing("s1", "tv"),
            playing("s2", "tv"),
            playing("s3", "phone"),
            playing("s4", "tablet"),
            playing("s5", "laptop"),
            withStatus("s6", "console", "stopped"));

    Finding finding = rule.evaluate(sessions).orElseThrow();

    JsonArray expectedIds =
        new JsonArray(
            Stream.of("s1", "s2", "s3", "s4", "s5").map(n -> id(n).toString()).sorted().toList());
    assertEquals(
        new JsonObject()
            .put("count", 4)
            .put("threshold", 3)
            .put("user_name", USER_NAME)
            .put("session_ids", expectedIds)
            .put("devices", new JsonArray(List.of("laptop", "phone", "tablet", "tv")))
            .put(
                "device_names",
                new JsonArray(
                    List.of(
                        "Walter's laptop", "Walter's phone", "Walter's tablet", "Walter's tv"))),
        finding.evidence());
    assertEquals(Set.of(id("s1"), id("s2"), id("s3"), id("s4"), id("s5")), finding.sessionIds());
    assertEquals(Set.of("tv", "phone", "tablet", "laptop"), finding.deviceKeys());
  }

  @Test
  void rejectsThresholdBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new ConcurrentStreamsRule(0));
  }
}
