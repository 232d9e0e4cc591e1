package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * How a poll's commands leave for the registry (bench/run scenario 13): ends first, then one
 * ordered chain per session so that sessions go side by side while a start still precedes its
 * heartbeat; and polls one interval apart start to start.
 */
class ServerWatcherDispatchTest {

  @Test
  void endsComeFirstAndEachSessionKeepsItsOrder() {
    PlaybackTracker tracker = new PlaybackTracker(PlaybackTrackerTest.SERVER);
    tracker.seen(
        List.of(
            PlaybackTrackerTest.play("a", "item-1", "u1"),
            PlaybackTrackerTest.play("b", "item-2", "u2")));
    // a switches item (end + start + heartbeat), b goes on (heartbeat), c is new (start +
    // heartbeat)
    List<SessionCommand> commands =
        tracker.seen(
            List.of(
                PlaybackTrackerTest.play("a", "item-9", "u1"),
                PlaybackTrackerTest.play("b", "item-2", "u2"),
                PlaybackTrackerTest.play("c", "item-3", "u3")));

    List<Deque<SessionCommand>> chains = ServerWatcher.chains(commands);

    assertEquals(1, chains.get(0).size(), "the first chain holds the poll's one end");
    assertInstanceOf(SessionCommand.End.class, chains.get(0).peek());
    List<Deque<SessionCommand>> sessions = chains.subList(1, chains.size());
    assertEquals(3, sessions.size(), "new a, b, c: one chain each");
    List<SessionCommand> flat = new ArrayList<>();
    for (Deque<SessionCommand> chain : sessions) {
      UUID id = chain.peek().sessionId();
      assertTrue(chain.stream().allMatch(c -> c.sessionId().equals(id)), "one session per chain");
      assertTrue(chain.stream().noneMatch(c -> c instanceof SessionCommand.End));
      flat.addAll(chain);
    }
    for (Deque<SessionCommand> chain : sessions) {
      if (chain.size() == 2) {
        assertInstanceOf(SessionCommand.Start.class, chain.getFirst(), "start before heartbeat");
        assertInstanceOf(SessionCommand.Heartbeat.class, chain.getLast());
      }
    }
    assertEquals(commands.size() - 1, flat.size(), "every command is sent exactly once");
  }

  @Test
  void noCommandsMakeOneEmptyChainOfEnds() {
    List<Deque<SessionCommand>> chains = ServerWatcher.chains(List.of());
    assertEquals(1, chains.size());
    assertTrue(chains.get(0).isEmpty());
  }

  @Test
  void theStartBudgetHoldsStartsPastItsSizeUntilOneEnds() {
    ServerWatcher.StartBudget budget = new ServerWatcher.StartBudget(2);
    List<String> ran = new ArrayList<>();
    budget.acquire(() -> ran.add("a"));
    budget.acquire(() -> ran.add("b"));
    budget.acquire(() -> ran.add("c"));
    budget.acquire(() -> ran.add("d"));
    assertEquals(List.of("a", "b"), ran, "two in flight, the others wait");
    budget.release();
    assertEquals(List.of("a", "b", "c"), ran, "an end lets the oldest waiting one go");
    budget.release();
    budget.release();
    budget.release();
    budget.acquire(() -> ran.add("e"));
    budget.acquire(() -> ran.add("f"));
    budget.acquire(() -> ran.add("g"));
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), ran, "back to two free, no more");
  }

  @Test
  void pollsStartOneIntervalApartAndRestAfterALongOne() {
    // the poll and its commands took 300 ms of a 2 s interval: the next starts 1.7 s later
    assertEquals(1_700, ServerWatcher.nextPollDelay(10_000, 10_300, 2_000));
    // it took 2.5 s: the next one still waits the minimum rest, not a whole interval
    assertEquals(ServerWatcher.MIN_REST_MS, ServerWatcher.nextPollDelay(10_000, 12_500, 2_000));
  }
}
