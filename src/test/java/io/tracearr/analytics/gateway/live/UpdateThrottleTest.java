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

  @Test
  void overTheBudgetEachSessionsNewestStateGoesOutLaterAndOnlyOnce() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle[] throttle = new UpdateThrottle[1];
    // 20 per second = 2 per 100 ms slice; no per-session interval, so only the budget holds them
    // back
    onLoop(
        ctx,
        () ->
            throttle[0] =
                new UpdateThrottle(
                    vertx, 0, 20, MAX_WAITING, this::emit, dropped::incrementAndGet));
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < 10; n++) offer(throttle[0], n, 1);
        });
    assertEquals(2, emitted.size(), "the first slice's budget goes out at once");
    // a later update of a session still waiting replaces what it will send; an ended one sends
    // nothing more
    onLoop(
        ctx,
        () -> {
          offer(throttle[0], 5, 2);
          throttle[0].forget("s9");
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
    onLoop(ctx, () -> assertEquals(0, throttle[0].waiting()));
    assertEquals(0, dropped.get());
  }

  @Test
  void pastTheWaitingBoundTheOldestWaitingUpdateIsDroppedAndCounted() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle[] throttle = new UpdateThrottle[1];
    onLoop(
        ctx,
        () ->
            throttle[0] =
                new UpdateThrottle(
                    vertx, 0, 10, MAX_WAITING, this::emit, dropped::incrementAndGet));
    int offered = MAX_WAITING + 5;
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < offered; n++) offer(throttle[0], n, 1);
          // one per slice goes out at once, MAX_WAITING wait, the oldest of the rest make room
          assertEquals(MAX_WAITING, throttle[0].waiting());
        });
    assertEquals(offered - 1 - MAX_WAITING, dropped.get());
    onLoop(ctx, throttle[0]::clear);
  }

  @Test
  void withNoBudgetEveryFirstUpdateGoesOutAtOnce() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle[] throttle = new UpdateThrottle[1];
    onLoop(
        ctx,
        () ->
            throttle[0] =
                new UpdateThrottle(
                    vertx, 60_000, 0, MAX_WAITING, this::emit, dropped::incrementAndGet));
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < 500; n++) offer(throttle[0], n, 1);
        });
    assertEquals(500, emitted.size());
    onLoop(ctx, () -> assertTrue(throttle[0].waiting() == 0));
  }

  /** A paused session's update goes before the position-only updates waiting for the budget. */
  @Test
  void aStatusChangeOvertakesTheWaitingUpdates() {
    var ctx = vertx.getOrCreateContext();
    UpdateThrottle[] throttle = new UpdateThrottle[1];
    onLoop(
        ctx,
        () ->
            throttle[0] =
                new UpdateThrottle(
                    vertx, 1_000, 10, MAX_WAITING, this::emit, dropped::incrementAndGet));
    onLoop(
        ctx,
        () -> {
          for (int n = 0; n < 50; n++) offer(throttle[0], n, 1);
          throttle[0].offerUrgent(new JsonObject().put("id", "s40").put("status", "paused"));
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
