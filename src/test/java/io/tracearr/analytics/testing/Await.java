package io.tracearr.analytics.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition a test cannot be told about (a row written, a meter moved, a member
 * joined). The condition is checked on a poller thread and the caller blocks on the outcome, so no
 * test sleeps a fixed time: it goes on as soon as the condition holds, and fails (with {@code
 * what}) only after the generous timeout. Where a test can be told (a frame, an event), it listens
 * instead ({@code VertxTestContext}, {@link LiveClient}).
 */
public final class Await {

  private static final long POLL_MILLIS = 25;
  private static final ScheduledExecutorService POLLER =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "await-poller");
            t.setDaemon(true);
            return t;
          });

  private Await() {}

  /**
   * Returns once {@code condition} holds; an exception or assertion error thrown by it fails at
   * once.
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    CompletableFuture<Void> met = new CompletableFuture<>();
    ScheduledFuture<?> polling =
        POLLER.scheduleWithFixedDelay(
            () -> {
              if (met.isDone()) return;
              try {
                if (condition.getAsBoolean()) met.complete(null);
              } catch (Throwable t) {
                met.completeExceptionally(t);
              }
            },
            0,
            POLL_MILLIS,
            TimeUnit.MILLISECONDS);
    try {
      met.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error err) throw err;
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      polling.cancel(false);
    }
  }
}
