package io.tracearr.analytics.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One event per key per second: each case is a script of steps ({@code o key value at}: offer;
 * {@code d at}: due; {@code f key}: forget) and the events that went out, in order.
 */
class EventPacerTest {

  private static final long S = 1_000_000_000L;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("the first event of a key goes out at once", "o a 1 0", List.of("a1")),
        Arguments.of(
            "a second event within the interval is held", "o a 1 0; o a 2 500", List.of("a1")),
        Arguments.of(
            "the held event goes out once the interval has passed",
            "o a 1 0; o a 2 500; d 1000",
            List.of("a1", "a2")),
        Arguments.of(
            "held events replace each other: only the latest goes out",
            "o a 1 0; o a 2 200; o a 3 400; d 1000",
            List.of("a1", "a3")),
        Arguments.of(
            "nothing goes out before the interval", "o a 1 0; o a 2 200; d 900", List.of("a1")),
        Arguments.of(
            "keys are paced independently", "o a 1 0; o b 1 100; o a 2 200", List.of("a1", "b1")),
        Arguments.of(
            "an event after a quiet interval goes out at once",
            "o a 1 0; o a 2 1500",
            List.of("a1", "a2")),
        Arguments.of(
            "a forgotten key's held event never goes out",
            "o a 1 0; o a 2 200; f a; d 2000",
            List.of("a1")),
        Arguments.of(
            "after a forget the next event goes out at once",
            "o a 1 0; f a; o a 2 100",
            List.of("a1", "a2")),
        Arguments.of(
            "an event offered while one is held waits behind it",
            "o a 1 0; o a 2 500; o a 3 1200; d 1200",
            List.of("a1", "a3")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void script(String name, String script, List<String> expected) {
    EventPacer<String, String> pacer = new EventPacer<>(S);
    List<String> out = new ArrayList<>();
    for (String step : script.split(";\\s*")) {
      String[] w = step.trim().split(" ");
      switch (w[0]) {
        case "o" -> {
          String sent = pacer.offer(w[1], w[1] + w[2], Long.parseLong(w[3]) * 1_000_000L);
          if (sent != null) out.add(sent);
        }
        case "d" -> pacer.due(Long.parseLong(w[1]) * 1_000_000L, (k, v) -> out.add(v));
        case "f" -> pacer.forget(w[1]);
        default -> throw new IllegalArgumentException(step);
      }
    }
    assertEquals(expected, out);
  }

  /**
   * Issue 18: what a pacer holds is bounded whatever the number of keys; past the bound an event is
   * dropped, never held, and its key's next event after the interval goes out as usual.
   */
  @org.junit.jupiter.api.Test
  void atMostMaxHeldKeysHoldAnEvent() {
    EventPacer<String, String> pacer = new EventPacer<>(S, 2);
    List<String> out = new ArrayList<>();
    for (String k : List.of("a", "b", "c")) {
      String sent = pacer.offer(k, k + 1, 0);
      if (sent != null) out.add(sent);
    }
    for (String k : List.of("a", "b", "c")) {
      String sent = pacer.offer(k, k + 2, 100 * 1_000_000L);
      if (sent != null) out.add(sent);
    }
    assertEquals(2, pacer.held());
    assertEquals(1, pacer.dropped());
    pacer.due(S + 100 * 1_000_000L, (k, v) -> out.add(v));
    assertEquals(List.of("a1", "b1", "c1", "a2", "b2"), out);
    assertEquals("c3", pacer.offer("c", "c3", 3 * S));
  }
}
