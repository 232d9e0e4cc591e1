package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.api.Problem;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules the durability promise rests on, one case each, without a server. */
class HeartbeatBufferTest {

  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  /** A buffer of at most 3 sessions over sessions s0..s4 (all playing at 1000 kbit/s). */
  static final class World {
    final Map<UUID, OpenSession> open = new HashMap<>();
    final HeartbeatBuffer buffer = new HeartbeatBuffer(3, open::get);
    final OpenSession[] s = new OpenSession[5];

    World() {
      for (int i = 0; i < s.length; i++) {
        s[i] = new OpenSession(new UUID(0, i), "playing", "10.0.0.1", 1000, T0);
        open.put(s[i].id, s[i]);
      }
    }

    void beat(int session, int secondsAfterT0, double position) {
      buffer.add(
          s[session],
          new SessionInput.Heartbeat(null, position, null, null, null, null, null),
          T0.plusSeconds(secondsAfterT0),
          null);
    }

    List<UUID> ids(List<PendingHeartbeat> batch) {
      return batch.stream().map(p -> p.sessionId).toList();
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "heartbeats of one session coalesce into one entry, the latest position wins",
            (Consumer<World>)
                w -> {
                  w.beat(0, 1, 10);
                  w.beat(0, 11, 20);
                  assertEquals(1, w.buffer.size());
                  List<PendingHeartbeat> batch = w.buffer.take(100);
                  assertEquals(1, batch.size());
                  assertEquals(20.0, batch.get(0).positionSeconds);
                  assertEquals(10.0, batch.get(0).extraPlayedSeconds, 1e-9);
                }),
        Arguments.of(
            "batches take sessions oldest first and at most the batch size",
            (Consumer<World>)
                w -> {
                  w.beat(2, 1, 1);
                  w.beat(0, 2, 1);
                  w.beat(1, 3, 1);
                  assertEquals(List.of(w.s[2].id, w.s[0].id), w.ids(w.buffer.take(2)));
                  assertEquals(1, w.buffer.size());
                  assertEquals(2, w.buffer.inFlight());
                }),
        Arguments.of(
            "a full buffer refuses a new session with 503 before acknowledging",
            (Consumer<World>)
                w -> {
                  w.beat(0, 1, 1);
                  w.beat(1, 1, 1);
                  w.beat(2, 1, 1);
                  Problem p = assertThrows(Problem.class, () -> w.beat(3, 1, 1));
                  assertEquals(503, p.status());
                  assertNull(w.s[3].pending);
                }),
        Arguments.of(
            "a full buffer still coalesces a session already waiting",
            (Consumer<World>)
                w -> {
                  w.beat(0, 1, 1);
                  w.beat(1, 1, 1);
                  w.beat(2, 1, 1);
                  w.beat(1, 5, 7);
                  assertEquals(7.0, w.s[1].pending.positionSeconds);
                }),
        Arguments.of(
            "the batch in flight counts toward the bound",
            (Consumer<World>)
                w -> {
                  w.beat(0, 1, 1);
                  w.beat(1, 1, 1);
                  w.buffer.take(100);
                  w.beat(2, 1, 1);
                  assertThrows(Problem.class, () -> w.beat(3, 1, 1));
                  w.buffer.written();
                  w.beat(3, 2, 1);
                  assertEquals(2, w.buffer.size());
                }),
        Arguments.of(
            "a failed batch comes back in front, newer heartbeats folded into it",
            (Consumer<World>)
                w -> {
                  w.beat(0, 0, 1);
                  w.beat(1, 0, 1);
                  List<PendingHeartbeat> batch = w.buffer.take(100);
                  w.beat(0, 10, 42);
                  w.buffer.requeue(batch);
                  assertEquals(0, w.buffer.inFlight());
                  w.beat(2, 12, 1);
                  List<PendingHeartbeat> again = w.buffer.take(100);
                  assertEquals(List.of(w.s[0].id, w.s[1].id, w.s[2].id), w.ids(again));
                  PendingHeartbeat merged = again.get(0);
                  assertSame(batch.get(0), merged);
                  assertEquals(42.0, merged.positionSeconds);
                  assertEquals(10.0, merged.extraPlayedSeconds, 1e-9);
                }),
        Arguments.of(
            "a requeued entry of a session that ended meanwhile is dropped",
            (Consumer<World>)
                w -> {
                  w.beat(0, 0, 1);
                  w.beat(1, 0, 1);
                  List<PendingHeartbeat> batch = w.buffer.take(100);
                  w.open.remove(w.s[1].id);
                  w.buffer.requeue(batch);
                  assertEquals(List.of(w.s[0].id), w.ids(w.buffer.take(100)));
                }),
        Arguments.of(
            "a forgotten session is not written by the next batch",
            (Consumer<World>)
                w -> {
                  w.beat(0, 0, 1);
                  w.beat(1, 0, 1);
                  w.buffer.forget(w.s[0].id);
                  assertEquals(List.of(w.s[1].id), w.ids(w.buffer.take(100)));
                  assertTrue(w.buffer.isEmpty());
                }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rule(String name, Consumer<World> scenario) {
    scenario.accept(new World());
  }
}
