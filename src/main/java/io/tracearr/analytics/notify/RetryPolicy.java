package io.tracearr.analytics.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When to try a delivery again. Backoff doubles from {@code initialBackoff} (1 s, 2 s, 4 s ...) up
 * to {@code maxBackoff}; after {@code maxAttempts} attempts in all the delivery is {@code failed}
 * (and can be re-sent by hand). With the defaults the eight attempts span about two minutes.
 *
 * <p>Outcomes, decided once here so every channel type agrees:
 *
 * <ul>
 *   <li>2xx: delivered.
 *   <li>408, 425, 429: retried — the receiver is busy, not refusing. On 429 (and 503) a {@code
 *       Retry-After} is honoured instead of the backoff, up to {@code maxRetryAfter}; these
 *       attempts count toward {@code maxAttempts} so a receiver that rate-limits forever still
 *       ends.
 *   <li>Other 4xx: permanent failure at once. The request itself is wrong or the target is gone
 *       (Slack's 400 invalid_payload, 404 channel_not_found, 410 channel_is_archived; Discord asks
 *       that a webhook answering 404 not be used again; 401/403 mean a bad token), so repeating it
 *       cannot succeed and, for Discord, counts against the invalid-request limit. It stays
 *       re-sendable once the channel is fixed.
 *   <li>3xx: permanent failure. Redirects are not followed by design, so the configured URL is
 *       wrong.
 *   <li>5xx, timeouts, resets, refused connections, answers that are not HTTP (and 1xx): retried.
 * </ul>
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(1));

  public enum Outcome {
    DELIVERED,
    RETRY,
    PERMANENT_FAILURE
  }

  public enum Kind {
    DELIVERED,
    RETRY,
    FAILED
  }

  /**
   * What to do after an attempt: stop (delivered or failed, with why), or try again at {@code
   * retryAt}.
   */
  public record Decision(Kind kind, Instant retryAt, String reason) {}

  public RetryPolicy {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
  }

  public static RetryPolicy withMaxAttempts(int maxAttempts) {
    return new RetryPolicy(
        maxAttempts, DEFAULT.initialBackoff, DEFAULT.maxBackoff, DEFAULT.maxRetryAfter);
  }

  public static Outcome classify(AttemptResult result) {
    if (result.status() == null) return Outcome.RETRY;
    int s = result.status();
    if (s >= 200 && s < 300) return Outcome.DELIVERED;
    if (s == 408 || s == 425 || s == 429) return Outcome.RETRY;
    if (s >= 300 && s < 500) return Outcome.PERMANENT_FAILURE;
    return Outcome.RETRY;
  }

  /**
   * The wait after the {@code attemptsMade}-th attempt failed: 1 s after the first, 2 s after the
   * second ...
   */
  public Duration backoff(int attemptsMade) {
    int doublings = Math.max(0, attemptsMade - 1);
    if (doublings >= 62) return maxBackoff;
    long millis = initialBackoff.toMillis() << doublings;
    if (millis < 0 || millis > maxBackoff.toMillis()) return maxBackoff;
    return Duration.ofMillis(millis);
  }

  /**
   * After the {@code attemptsMade}-th attempt (1-based) came back with {@code result} at {@code
   * now}.
   */
  public Decision decide(int attemptsMade, AttemptResult result, Instant now) {
    Outcome outcome = classify(result);
    if (outcome == Outcome.DELIVERED) return new Decision(Kind.DELIVERED, null, result.describe());
    if (outcome == Outcome.PERMANENT_FAILURE) {
      return new Decision(
          Kind.FAILED,
          null,
          result.describe() + " (not retried: the receiver refused the request)");
    }
    if (attemptsMade >= maxAttempts) {
      return new Decision(
          Kind.FAILED, null, result.describe() + " (gave up after " + attemptsMade + " attempts)");
    }
    return new Decision(Kind.RETRY, now.plus(wait(attemptsMade, result, now)), result.describe());
  }

  private Duration wait(int attemptsMade, AttemptResult result, Instant now) {
    Integer s = result.status();
    if (s != null && (s == 429 || s == 503)) {
      Optional<Duration> asked = RetryAfter.parse(result.retryAfter(), now);
      if (asked.isPresent())
        return asked.get().compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked.get();
    }
    return backoff(attemptsMade);
  }
}
