package io.tracearr.analytics.gateway.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Where a terminate goes: the bound on an ingest socket's carried sessions drops the silent ones
 * (ended elsewhere, reaped) and never a session that keeps heart-beating. The first version stopped
 * tracking new sessions once 10 000 had been heard, and a started session was never dropped.
 */
class CarriedSessionsTest {

  @Test
  void aSessionThatKeepsHeartBeatingStaysWhileSilentOnesAgeOut() {
    CarriedSessions carried = new CarriedSessions(1_000);
    carried.add("live");
    for (int i = 0; i < 30_000; i++) {
      carried.add("silent-" + i); // started, then reaped without an end over this socket
      if (i % 500 == 0) carried.add("live"); // its heartbeat
    }
    assertTrue(carried.contains("live"));
    assertEquals(1_000, carried.size());
    assertFalse(carried.contains("silent-0"));
    // the newest are tracked: the bound never stops tracking
    assertTrue(carried.contains("silent-29999"));
  }

  @Test
  void anEndedSessionIsNoLongerCarried() {
    CarriedSessions carried = new CarriedSessions(10);
    carried.add("a");
    carried.remove("a");
    assertFalse(carried.contains("a"));
    assertEquals(0, carried.size());
  }
}
