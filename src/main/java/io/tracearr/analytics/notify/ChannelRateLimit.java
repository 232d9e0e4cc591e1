package io.tracearr.analytics.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A token bucket per channel that queues rather than drops: {@link #reserve} books the earliest
 * moment the next send may go, and the caller holds the delivery until then. Implemented as a
 * virtual-scheduling (GCRA) bucket: a burst of {@code capacity} sends, then one every {@code
 * interval}.
 *
 * <p>Defaults per type, from each service's documentation where it gives numbers:
 *
 * <ul>
 *   <li>Discord: documents no fixed webhook number and asks clients to read the {@code
 *       X-RateLimit-*} headers ({@link #observe}); its header example shows a bucket of 5. Default:
 *       burst 5, then one per 2 s (30 a minute, the widely observed per-channel cap), tightened by
 *       the headers as they arrive.
 *   <li>Slack: incoming webhooks allow about one message per second with short bursts: burst 3, 1
 *       s.
 *   <li>Telegram: no more than one message per second to one chat: burst 3, 1 s.
 *   <li>ntfy: server default is 60 requests at once, then one per 5 s (ntfy.sh and self-hosted
 *       alike).
 *   <li>Gotify and Pushover: no per-second limit documented; 10 at once, then 2 a second keeps a
 *       flood polite.
 *   <li>Webhook: our own receivers; 100 at once, then 50 a second (the benchmark sends 1 000 alerts
 *       a minute).
 *   <li>E-mail: 10 at once, then one a second.
 * </ul>
 *
 * Not shared across the cluster: each node limits its own sends, which is enough because one
 * delivery is claimed by one node at a time.
 */
public final class ChannelRateLimit {

  private final int capacity;
  private final Duration interval;
  private final Duration tolerance;
  private Instant theoreticalArrival;

  public ChannelRateLimit(int capacity, Duration interval) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1");
    if (interval.isNegative() || interval.isZero())
      throw new IllegalArgumentException("interval must be positive");
    this.capacity = capacity;
    this.interval = interval;
    this.tolerance = interval.multipliedBy(capacity - 1L);
  }

  public static ChannelRateLimit forType(ChannelType type) {
    return switch (type) {
      case DISCORD -> new ChannelRateLimit(5, Duration.ofSeconds(2));
      case SLACK, TELEGRAM -> new ChannelRateLimit(3, Duration.ofSeconds(1));
      case NTFY -> new ChannelRateLimit(60, Duration.ofSeconds(5));
      case GOTIFY, PUSHOVER -> new ChannelRateLimit(10, Duration.ofMillis(500));
      case WEBHOOK -> new ChannelRateLimit(100, Duration.ofMillis(20));
      case EMAIL -> new ChannelRateLimit(10, Duration.ofSeconds(1));
    };
  }

  public int capacity() {
    return capacity;
  }

  public Duration interval() {
    return interval;
  }

  /**
   * Books a send: returns {@code now} when it may go at once, or the later moment it is queued for.
   */
  public synchronized Instant reserve(Instant now) {
    Instant tat =
        theoreticalArrival == null || theoreticalArrival.isBefore(now) ? now : theoreticalArrival;
    Instant earliest = tat.minus(tolerance);
    Instant sendAt = earliest.isAfter(now) ? earliest : now;
    theoreticalArrival = tat.plus(interval);
    return sendAt;
  }

  /** When the next send could go, without booking it. */
  public synchronized Instant peek(Instant now) {
    if (theoreticalArrival == null) return now;
    Instant earliest = theoreticalArrival.minus(tolerance);
    return earliest.isAfter(now) ? earliest : now;
  }

  /** The receiver said "not before {@code until}" (a 429): nothing is booked before then. */
  public synchronized void pauseUntil(Instant until) {
    Instant needed = until.plus(tolerance);
    if (theoreticalArrival == null || theoreticalArrival.isBefore(needed))
      theoreticalArrival = needed;
  }

  /**
   * Discord-style headers: {@code X-RateLimit-Remaining: 0} with {@code X-RateLimit-Reset-After:
   * <seconds>} means the bucket is empty until then, whatever our own estimate says.
   */
  public void observe(String remainingHeader, String resetAfterHeader, Instant now) {
    if (remainingHeader == null || !remainingHeader.trim().equals("0")) return;
    Optional<Duration> resetAfter = RetryAfter.parse(resetAfterHeader, now);
    resetAfter.ifPresent(d -> pauseUntil(now.plus(d)));
  }
}
