package io.tracearr.analytics.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * A clock that stands still until a test moves it: handed to a node's session registry, it makes
 * played time exactly what the test says passed, with no waiting and no wall-clock tolerance.
 */
public final class TestClock extends Clock {

  private volatile Instant now;

  public TestClock(Instant start) {
    this.now = start;
  }

  /**
   * Starts at the current wall-clock time (whole milliseconds, as PostgreSQL keeps microseconds).
   */
  public static TestClock atNow() {
    return new TestClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  }

  public synchronized Instant advance(Duration by) {
    now = now.plus(by);
    return now;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a test clock is UTC");
  }
}
