package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelRateLimitTest {

  static final Instant T0 = Instant.parse("2026-01-02T03:00:00Z");

  @Test
  void discordBurstsFiveThenQueuesOneEveryTwoSeconds() {
    ChannelRateLimit limit = ChannelRateLimit.forType(ChannelType.DISCORD);
    List<Instant> slots = new ArrayList<>();
    for (int i = 0; i < 8; i++) slots.add(limit.reserve(T0));
    assertEquals(
        List.of(T0, T0, T0, T0, T0, T0.plusSeconds(2), T0.plusSeconds(4), T0.plusSeconds(6)),
        slots,
        "nothing dropped: the sixth onwards is queued");
  }

  @Test
  void refillsWhileIdle() {
    ChannelRateLimit limit = new ChannelRateLimit(2, Duration.ofSeconds(1));
    limit.reserve(T0);
    limit.reserve(T0);
    assertEquals(T0.plusSeconds(1), limit.peek(T0));
    Instant later = T0.plusSeconds(10);
    assertEquals(later, limit.reserve(later));
    assertEquals(later, limit.reserve(later), "burst back after idling");
    assertEquals(later.plusSeconds(1), limit.reserve(later));
  }

  @Test
  void a429PausesTheBucket() {
    ChannelRateLimit limit = new ChannelRateLimit(5, Duration.ofSeconds(1));
    limit.pauseUntil(T0.plusSeconds(30));
    assertEquals(T0.plusSeconds(30), limit.reserve(T0));
    assertEquals(T0.plusSeconds(31), limit.reserve(T0));
  }

  @Test
  void discordHeadersWithNothingRemainingPause() {
    ChannelRateLimit limit = ChannelRateLimit.forType(ChannelType.DISCORD);
    limit.observe("1", "5", T0);
    assertEquals(T0, limit.peek(T0), "remaining 1: carry on");
    limit.observe("0", "1.5", T0);
    assertEquals(T0.plusMillis(1500), limit.reserve(T0));
  }
}
