package io.tracearr.analytics.gateway.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deltas held while a snapshot loads. Frames are written as a letter and a number: S =
 * session.started, U = session.updated (the only kind that may be dropped), E = session.ended, A =
 * alert.raised.
 */
class SnapshotBacklogTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, capacity, frames offered in order, held afterwards (in send order), dropped,
        // refused (the resync)
        Arguments.of(
            "below capacity every frame is held in arrival order",
            3,
            "S1 U2 E3",
            "S1 U2 E3",
            "",
            ""),
        Arguments.of("a full backlog drops an incoming update", 2, "S1 S2 U3", "S1 S2", "U3", ""),
        Arguments.of(
            "a frame that matters pushes out the oldest update",
            3,
            "U1 S2 U3 E4",
            "S2 U3 E4",
            "U1",
            ""),
        Arguments.of(
            "updates keep giving way, oldest first", 3, "U1 U2 U3 S4 E5", "U3 S4 E5", "U1 U2", ""),
        Arguments.of(
            "a full backlog of frames that matter refuses one more",
            2,
            "S1 A2 E3",
            "S1 A2",
            "",
            "E3"),
        Arguments.of(
            "a refused frame leaves the backlog as it was", 2, "U1 S2 A3 E4", "S2 A3", "U1", "E4"),
        Arguments.of(
            "an update is still dropped once only frames that matter are held",
            2,
            "S1 A2 U3",
            "S1 A2",
            "U3",
            ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hold(
      String name, int capacity, String offered, String held, String dropped, String refused) {
    SnapshotBacklog backlog = new SnapshotBacklog(capacity);
    Map<Frame, String> labels = new IdentityHashMap<>();
    List<String> droppedLabels = new ArrayList<>();
    List<String> refusedLabels = new ArrayList<>();

    for (String label : words(offered)) {
      Frame f = frame(label);
      labels.put(f, label);
      if (!backlog.hold(f, d -> droppedLabels.add(labels.get(d)))) refusedLabels.add(label);
    }

    assertEquals(words(held), backlog.frames().stream().map(labels::get).toList(), "held");
    assertEquals(words(dropped), droppedLabels, "dropped");
    assertEquals(words(refused), refusedLabels, "refused");
  }

  private static Frame frame(String label) {
    String type =
        switch (label.charAt(0)) {
          case 'S' -> "session.started";
          case 'U' -> "session.updated";
          case 'E' -> "session.ended";
          case 'A' -> "alert.raised";
          default -> throw new IllegalArgumentException(label);
        };
    return Frame.of(type, new JsonObject().put("id", label));
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
  }
}
