package io.tracearr.analytics.gateway.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-hub budget of session.updated frames, on a real event loop. */
class UpdateThrottleTest {

  static final int MAX_WAITING = 10_000;

  private Vertx vertx;
  private final List<JsonObject> emitted = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger dropped =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private void offer(UpdateThrottle throttle, int n, int version) {
    throttle.offer(new JsonObject().put("id", "s" + n).put("position_seconds", version));
  }

  private void emit(JsonObject session) {
    emitted.add(session);
  }

  /** Runs {@code work} on one event-loop context, as the hub does, and waits for it. */
  private void onLoop(io.vertx.core.Context ctx, Runnable work) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          work.run();
          done.complete(null);
        });
    done.join();
  }

  /** A throttle made on {@code ctx}'s event loop, as the hub makes its own. */
  private UpdateThrottle throttle(io.vertx.core.Context ctx, long intervalMs, int maxPerSecond) {
    UpdateThrottle[] made = new UpdateThrottle[1];
    onLoop(
        ctx,
        () ->
            made[0] =
                new UpdateThrottle(
                    vertx,
                    intervalMs,
                    maxPerSecond,
                    MAX_WAITING,
                    this::emit,
                    dropped::incrementAndGet));
    return made[0];
  }

  @Test
  void overTheBudgetEachSessionsNewestStateGoesOutLaterAndOnlyOnce() {
    var ctx = vertx.getOrCreateContext();
    // 20 per second = 2 per 100 ms slice; no per-session interval, so only the budget holds them
    // back
    UpdateThrottle throttle = throttle(ctx, 0, 20);
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < 10; n++) offer(throttle, n, 1);
        });
    assertEquals(2, emitted.size(), "the first slice's budget goes out at once");
    // a later update of a session still waiting replaces what it will send; an ended one sends
    // nothing more
    onLoop(
        ctx,
        () -> {
          offer(throttle, 5, 2);
          throttle.forget("s9");
        });
    Await.until(
        Duration.ofSeconds(5), "every waiting session's update sent", () -> emitted.size() == 9);
    List<String> ids = emitted.stream().map(j -> j.getString("id")).toList();
    assertEquals(
        List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"),
        ids,
        "oldest waiting first, each once");
    assertEquals(2, emitted.get(5).getInteger("position_seconds"), "the newest state of s5");
    assertFalse(ids.contains("s9"), "no update after a session's end");
    onLoop(ctx, () -> assertEquals(0, throttle.waiting()));
    assertEquals(0, dropped.get());
  }

  @Test
  void pastTheWaitingBoundTheOldestWaitingUpdateIsDroppedAndCounted() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle throttle = throttle(ctx, 0, 10);
    int offered = MAX_WAITING + 5;
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < offered; n++) offer(throttle, n, 1);
          // one per slice goes out at once, MAX_WAITING wait, the oldest of the rest make room
          assertEquals(MAX_WAITING, throttle.waiting());
        });
    assertEquals(offered - 1 - MAX_WAITING, dropped.get());
    onLoop(ctx, throttle::clear);
  }

  @Test
  void withNoBudgetEveryFirstUpdateGoesOutAtOnce() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle throttle = throttle(ctx, 60_000, 0);
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < 500; n++) offer(throttle, n, 1);
        });
    assertEquals(500, emitted.size());
    onLoop(ctx, () -> assertTrue(throttle.waiting() == 0));
  }

  /** A paused session's update goes before the position-only updates waiting for the budget. */
  @Test
  void aStatusChangeOvertakesTheWaitingUpdates() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle throttle = throttle(ctx, 1_000, 10);
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < 50; n++) offer(throttle, n, 1);
          throttle.offerUrgent(new JsonObject().put("id", "s40").put("status", "paused"));
        });
    Await.until(
        Duration.ofSeconds(5),
        "the paused update out",
        () -> emitted.stream().anyMatch(j -> j.containsKey("status")));
    List<String> ids = emitted.stream().map(j -> j.getString("id")).toList();
    // s0 went out in the first slice; the pause in the next one, ahead of s1..s49
    assertEquals(List.of("s0", "s40"), ids.subList(0, 2));
    assertEquals("paused", emitted.get(1).getString("status"));
  }
}
