package io.tracearr.analytics.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's budget of session.updated per second (issue 18): rate, order, bound, forget. */
class RateBudgetTest {

  private final List<String> out = new ArrayList<>();

  @Test
  void overTheBudgetTheNewestEventOfEachKeyWaitsForALaterSliceOldestFirst() {
    RateBudget<String, String> budget =
        new RateBudget<>(20, 100, (k, v) -> out.add(v)); // 2 a slice
    budget.offer("a", "a1");
    budget.offer("b", "b1");
    budget.offer("c", "c1");
    budget.offer("d", "d1");
    budget.offer("c", "c2");
    assertEquals(List.of("a1", "b1"), out);
    assertEquals(2, budget.waiting());
    budget.tick();
    assertEquals(List.of("a1", "b1", "c2", "d1"), out);
    assertEquals(0, budget.waiting());
  }

  @Test
  void atMostMaxWaitingKeysWaitTheOldestIsDroppedAndCounted() {
    RateBudget<String, String> budget = new RateBudget<>(10, 2, (k, v) -> out.add(v)); // 1 a slice
    for (String k : List.of("a", "b", "c", "d")) budget.offer(k, k + 1);
    assertEquals(List.of("a1"), out);
    assertEquals(2, budget.waiting());
    assertEquals(1, budget.dropped());
    budget.tick();
    budget.tick();
    assertEquals(List.of("a1", "c1", "d1"), out);
  }

  @Test
  void aForgottenKeysWaitingEventNeverLeavesAndZeroMeansNoLimit() {
    RateBudget<String, String> budget = new RateBudget<>(10, 10, (k, v) -> out.add(v));
    budget.offer("a", "a1");
    budget.offer("b", "b1");
    budget.forget("b");
    budget.tick();
    assertEquals(List.of("a1"), out);

    out.clear();
    RateBudget<String, String> unlimited = new RateBudget<>(0, 10, (k, v) -> out.add(v));
    for (int i = 0; i < 1000; i++) unlimited.offer("k" + i, "v" + i);
    assertEquals(1000, out.size());
    assertEquals(0, unlimited.waiting());
  }

  /**
   * A status change (pause, resume) must not wait behind thousands of position-only updates: it
   * leaves first in the next slice, replaces its key's ordinary event, and still uses the budget.
   */
  @Test
  void anUrgentEventOvertakesTheWaitingOnesAndTakesItsKeysPlace() {
    RateBudget<String, String> budget =
        new RateBudget<>(10, 100, (k, v) -> out.add(v)); // 1 a slice
    for (String k : List.of("a", "b", "c", "d")) budget.offer(k, k + 1);
    assertEquals(List.of("a1"), out);
    budget.offerUrgent("d", "d-paused");
    budget.offer("d", "d-paused-later"); // its newer state keeps the urgent place
    assertEquals(3, budget.waiting());
    budget.tick();
    assertEquals(List.of("a1", "d-paused-later"), out);
    budget.tick();
    budget.tick();
    assertEquals(List.of("a1", "d-paused-later", "b1", "c1"), out);
    // with budget left it goes at once
    out.clear();
    budget.tick();
    budget.offerUrgent("e", "e-paused");
    assertEquals(List.of("e-paused"), out);
  }

  /** The live hubs count each drop in a metric and empty the budget when they stop. */
  @Test
  void eachDropIsReportedAndClearEmptiesBothLanes() {
    int[] drops = new int[1];
    RateBudget<String, String> budget =
        new RateBudget<>(10, 2, (k, v) -> out.add(v), () -> drops[0]++); // 1 a slice
    for (String k : List.of("a", "b", "c", "d", "e")) budget.offer(k, k + 1);
    budget.offerUrgent("f", "f-paused");
    assertEquals(2, drops[0]);
    assertEquals(budget.dropped(), drops[0]);
    budget.clear();
    assertEquals(0, budget.waiting());
    budget.tick();
    assertEquals(List.of("a1"), out);
  }
}
