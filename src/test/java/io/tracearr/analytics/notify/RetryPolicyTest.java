package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.notify.RetryPolicy.Kind;
import io.tracearr.analytics.notify.RetryPolicy.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryPolicyTest {

  static final Instant NOW = Instant.parse("2026-01-02T03:00:00Z");

  static Stream<Arguments> outcomes() {
    return Stream.of(
        Arguments.of("200 delivered", AttemptResult.response(200), Outcome.DELIVERED),
        Arguments.of(
            "204 (Discord without wait) delivered", AttemptResult.response(204), Outcome.DELIVERED),
        Arguments.of(
            "301 is a misconfigured URL: redirects are not followed",
            AttemptResult.response(301),
            Outcome.PERMANENT_FAILURE),
        Arguments.of(
            "400 invalid payload cannot succeed",
            AttemptResult.response(400),
            Outcome.PERMANENT_FAILURE),
        Arguments.of("401 bad token", AttemptResult.response(401), Outcome.PERMANENT_FAILURE),
        Arguments.of(
            "404 webhook deleted (Discord: do not use again)",
            AttemptResult.response(404),
            Outcome.PERMANENT_FAILURE),
        Arguments.of(
            "410 Slack channel archived", AttemptResult.response(410), Outcome.PERMANENT_FAILURE),
        Arguments.of("408 request timeout is retried", AttemptResult.response(408), Outcome.RETRY),
        Arguments.of(
            "429 rate limited is retried", AttemptResult.response(429, "2"), Outcome.RETRY),
        Arguments.of("500 is retried", AttemptResult.response(500), Outcome.RETRY),
        Arguments.of("503 is retried", AttemptResult.response(503), Outcome.RETRY),
        Arguments.of(
            "timeout is retried",
            AttemptResult.transportFailure("timeout after 10 s"),
            Outcome.RETRY),
        Arguments.of(
            "reset is retried", AttemptResult.transportFailure("connection reset"), Outcome.RETRY),
        Arguments.of(
            "garbage is retried",
            AttemptResult.transportFailure("not an HTTP response"),
            Outcome.RETRY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outcomes")
  void classifies(String name, AttemptResult result, Outcome expected) {
    assertEquals(expected, RetryPolicy.classify(result));
  }

  @Test
  void backoffDoublesFromOneSecond() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertEquals(8, p.maxAttempts());
    long[] expected = {1, 2, 4, 8, 16, 32, 64};
    for (int attempt = 1; attempt <= expected.length; attempt++) {
      assertEquals(
          Duration.ofSeconds(expected[attempt - 1]),
          p.backoff(attempt),
          "after attempt " + attempt);
    }
    assertEquals(Duration.ofMinutes(5), p.backoff(20), "capped");
    assertEquals(Duration.ofMinutes(5), p.backoff(200), "no overflow");
  }

  @Test
  void fiveHundredTwiceThenTwoHundredIsThreeAttempts() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    RetryPolicy.Decision first = p.decide(1, AttemptResult.response(500), NOW);
    assertEquals(Kind.RETRY, first.kind());
    assertEquals(NOW.plusSeconds(1), first.retryAt());
    RetryPolicy.Decision second = p.decide(2, AttemptResult.response(500), first.retryAt());
    assertEquals(NOW.plusSeconds(3), second.retryAt());
    assertEquals(Kind.DELIVERED, p.decide(3, AttemptResult.response(200), second.retryAt()).kind());
  }

  @Test
  void givesUpAfterMaxAttempts() {
    RetryPolicy p = RetryPolicy.withMaxAttempts(3);
    assertEquals(Kind.RETRY, p.decide(2, AttemptResult.transportFailure("refused"), NOW).kind());
    RetryPolicy.Decision last = p.decide(3, AttemptResult.transportFailure("refused"), NOW);
    assertEquals(Kind.FAILED, last.kind());
    assertEquals("refused (gave up after 3 attempts)", last.reason());
    assertEquals(
        Kind.FAILED, p.decide(1, AttemptResult.response(404), NOW).kind(), "permanent at once");
  }

  static Stream<Arguments> retryAfter() {
    return Stream.of(
        Arguments.of("429 seconds", 429, "65", NOW.plusSeconds(65)),
        Arguments.of(
            "429 fractional seconds (Discord) rounds up", 429, "64.57", NOW.plusMillis(64_570)),
        Arguments.of("503 HTTP-date", 503, "Fri, 02 Jan 2026 03:02:00 GMT", NOW.plusSeconds(120)),
        Arguments.of("date in the past means now", 429, "Fri, 02 Jan 2026 02:00:00 GMT", NOW),
        Arguments.of("unparseable falls back to backoff", 429, "soon", NOW.plusSeconds(4)),
        Arguments.of("500 ignores Retry-After", 500, "65", NOW.plusSeconds(4)),
        Arguments.of("capped at maxRetryAfter", 429, "86400", NOW.plus(Duration.ofHours(1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retryAfter")
  void honoursRetryAfterOn429And503(String name, int status, String header, Instant expected) {
    assertEquals(
        expected,
        RetryPolicy.DEFAULT.decide(3, AttemptResult.response(status, header), NOW).retryAt());
  }
}
