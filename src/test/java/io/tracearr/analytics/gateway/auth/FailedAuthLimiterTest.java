package io.tracearr.analytics.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The window per address: over the limit waits until the minute from the first failure is over;
 * others are untouched.
 */
class FailedAuthLimiterTest {

  @Test
  void overTheLimitWaitsForTheWindowAndOtherAddressesAreFree() {
    AtomicLong now = new AtomicLong(1_000_000);
    AtomicInteger refused = new AtomicInteger();
    FailedAuthLimiter limiter = new FailedAuthLimiter(20, now::get, refused::incrementAndGet);
    for (int i = 0; i < 20; i++) assertEquals(0, limiter.failed("10.0.0.1"));
    assertEquals(0, limiter.blockedFor("10.0.0.1"));
    assertEquals(60, limiter.failed("10.0.0.1"));
    now.addAndGet(15_500);
    assertEquals(45, limiter.blockedFor("10.0.0.1"));
    assertEquals(0, limiter.blockedFor("10.0.0.2"), "another address is not limited");
    assertEquals(2, refused.get());
    now.addAndGet(44_500);
    assertEquals(0, limiter.blockedFor("10.0.0.1"), "the window is over");
    assertEquals(0, limiter.failed("10.0.0.1"), "a new window starts at one failure");
  }

  @Test
  void zeroTurnsItOff() {
    FailedAuthLimiter limiter = new FailedAuthLimiter(0, () -> 0, () -> {});
    for (int i = 0; i < 100; i++) assertEquals(0, limiter.failed("10.0.0.1"));
    assertEquals(0, limiter.blockedFor("10.0.0.1"));
  }
}
