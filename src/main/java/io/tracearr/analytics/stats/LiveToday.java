package io.tracearr.analytics.stats;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.LocalDate;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Today's figures computed live from raw sessions, shared by the requests of one event loop. A
 * value is served only while it is fresh: its query started after the last change this node heard
 * of ({@link #changed}, called for every {@code events.session.started|ended} of the cluster) and
 * less than {@code maxAge} ago (heartbeats move durations and bytes without an event). Otherwise
 * the caller waits for a query that started after both, never for an older answer: no
 * stale-while-revalidate, so the first read after a quiet spell or after a change is exact. Queries
 * are shared: requests arriving while a fresh enough one runs join it. A value served past half its
 * age starts its successor (refresh ahead), so under steady load no request waits for the age
 * limit; after a change the first read still waits. Not thread-safe: one instance per event loop.
 */
public final class LiveToday {

  private final Function<LocalDate, Future<DailyStat>> query;
  private final long maxAgeNanos;
  private final LongSupplier clock;
  private DailyStat value;

  /**
   * when the query that produced {@link #value} started: the value holds every session committed
   * before
   */
  private long valueAsOf;

  private Future<DailyStat> inFlight;
  private LocalDate inFlightDay;
  private long inFlightAsOf;

  /** when this node last heard of a start or an end */
  private long changedAt;

  /**
   * How long the part only starts and ends move (unique users, peak) is reused when no change is
   * heard of: the bound if an event were lost (with its event: the first read after it recomputes
   * it).
   */
  public static final Duration PEOPLE_MAX_AGE = Duration.ofSeconds(30);

  /** unique users and peak (null: {@link #query} answers every figure) */
  private final Function<LocalDate, Future<DailyStat>> people;

  private Future<DailyStat> peopleValue;
  private LocalDate peopleDay;
  private long peopleAsOf;

  public LiveToday(Function<LocalDate, Future<DailyStat>> query, Duration maxAge) {
    this(query, null, maxAge, System::nanoTime);
  }

  /**
   * {@code sums} answers what heartbeats move (sessions, watch time, bytes, transcoded) and runs
   * for every new value; {@code people} answers unique users and peak, which only a start or an end
   * moves, and is reused while no change was heard of since it began (at most {@link
   * #PEOPLE_MAX_AGE}): at 87 000 sessions today it is 0.1-1.6 s, the sums tens of ms.
   */
  public LiveToday(
      Function<LocalDate, Future<DailyStat>> sums,
      Function<LocalDate, Future<DailyStat>> people,
      Duration maxAge) {
    this(sums, people, maxAge, System::nanoTime);
  }

  LiveToday(Function<LocalDate, Future<DailyStat>> query, Duration maxAge, LongSupplier clock) {
    this(query, null, maxAge, clock);
  }

  LiveToday(
      Function<LocalDate, Future<DailyStat>> query,
      Function<LocalDate, Future<DailyStat>> people,
      Duration maxAge,
      LongSupplier clock) {
    this.query = query;
    this.people = people;
    this.maxAgeNanos = maxAge.toNanos();
    this.clock = clock;
    this.changedAt = clock.getAsLong();
  }

  /** A session started or ended somewhere in the cluster: answers from before it are stale. */
  public void changed() {
    changedAt = clock.getAsLong();
  }

  /**
   * Today's figures, including every start and end committed before this node heard of it, and at
   * most {@code maxAge} behind heartbeats.
   */
  public Future<DailyStat> current(LocalDate today) {
    long now = clock.getAsLong();
    if (value != null && value.date().equals(today) && valueAsOf - changedAt >= 0) {
      long age = now - valueAsOf;
      boolean successor =
          inFlight != null && today.equals(inFlightDay) && inFlightAsOf - valueAsOf > 0;
      if (age < maxAgeNanos) {
        // past half its age, a served value starts its successor, so that under steady load no
        // request waits for the age limit (only after a change)
        if (age >= maxAgeNanos / 2 && !successor) refresh(today, now);
        return Future.succeededFuture(value);
      }
      // past the age limit while the successor started within it still runs (a slow query): no
      // change was heard since this value's query began, and it is at most one age limit plus the
      // successor's run behind heartbeats, the bound the age limit states; never past twice it
      if (successor && inFlightAsOf - valueAsOf < maxAgeNanos && age < 2 * maxAgeNanos)
        return Future.succeededFuture(value);
    }
    if (inFlight != null && today.equals(inFlightDay) && fresh(inFlightAsOf, now)) return inFlight;
    return refresh(today, now);
  }

  private boolean fresh(long asOf, long now) {
    return asOf - changedAt >= 0 && now - asOf < maxAgeNanos;
  }

  private Future<DailyStat> refresh(LocalDate today, long asOf) {
    Future<DailyStat> running = people == null ? query.apply(today) : withPeople(today, asOf);
    inFlight = running;
    inFlightDay = today;
    inFlightAsOf = asOf;
    running.onComplete(
        ar -> {
          if (inFlight == running) inFlight = null;
          if (ar.succeeded()
              && (value == null || ar.result().date().isAfter(value.date()) || asOf - valueAsOf > 0)
              && (value == null || !value.date().isAfter(today))) {
            value = ar.result();
            valueAsOf = asOf;
          }
        });
    return running;
  }

  /** the sums read now, unique users and peak from a query begun after the last change */
  private Future<DailyStat> withPeople(LocalDate today, long asOf) {
    if (peopleValue == null
        || !today.equals(peopleDay)
        || peopleValue.failed()
        || peopleAsOf - changedAt < 0
        || asOf - peopleAsOf >= PEOPLE_MAX_AGE.toNanos()) {
      peopleValue = people.apply(today);
      peopleDay = today;
      peopleAsOf = asOf;
    }
    Future<DailyStat> sums = query.apply(today);
    Future<DailyStat> seen = peopleValue;
    return Future.all(sums, seen)
        .map(
            done -> {
              DailyStat p = seen.result();
              return sums.result().withPeople(p.uniqueUsers(), p.peakConcurrentStreams());
            });
  }
}
