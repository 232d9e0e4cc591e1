package io.tracearr.analytics.stats;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.LocalDate;
import java.util.function.Function;

/**
 * Today's figures computed live from raw sessions, at most once per {@code maxAge} and one query at
 * a time (single flight): while a refresh runs, callers get the last value; only a caller with no
 * value for today yet waits for the query. Not thread-safe: one instance per event loop.
 */
public final class LiveToday {

  private final Function<LocalDate, Future<DailyStat>> query;
  private final long maxAgeNanos;
  private DailyStat value;

  /**
   * when the query that produced {@link #value} started: the value holds every session committed
   * before
   */
  private long valueAsOf;

  private Future<DailyStat> inFlight;

  public LiveToday(Function<LocalDate, Future<DailyStat>> query, Duration maxAge) {
    this.query = query;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** Today's figures, as of at most {@code maxAge} plus one query's duration ago. */
  public Future<DailyStat> current(LocalDate today) {
    boolean ours = value != null && value.date().equals(today);
    if (ours && System.nanoTime() - valueAsOf < maxAgeNanos) return Future.succeededFuture(value);
    Future<DailyStat> running = inFlight == null ? refresh(today) : inFlight;
    return ours ? Future.succeededFuture(value) : running;
  }

  private Future<DailyStat> refresh(LocalDate today) {
    long asOf = System.nanoTime();
    Future<DailyStat> running = query.apply(today);
    inFlight = running;
    running.onComplete(
        ar -> {
          if (inFlight == running) inFlight = null;
          if (ar.succeeded() && (value == null || !value.date().isAfter(today))) {
            value = ar.result();
            valueAsOf = asOf;
          }
        });
    return running;
  }
}
