package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.DayRollupSql.DELETE_CONTENT;
import static io.tracearr.analytics.stats.DayRollupSql.DELETE_HOURS;
import static io.tracearr.analytics.stats.DayRollupSql.INSERT_CONTENT;
import static io.tracearr.analytics.stats.DayRollupSql.INSERT_HOURS;
import static io.tracearr.analytics.stats.DayRollupSql.IS_FINALIZED;
import static io.tracearr.analytics.stats.DayRollupSql.UPSERT_DAY;
import static io.tracearr.analytics.stats.DayRollupSql.UPSERT_USER_LAST;
import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.tracearr.analytics.db.LockedTransaction;
import io.tracearr.analytics.db.LockedTransaction.Isolation;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Recomputes one day's roll-ups (its SQL is {@link DayRollupSql}). */
public final class DayRollupStore {

  /** one snapshot for the sweep, the sums and the finalisation check */
  private final LockedTransaction transaction;

  /** hours and weekdays of the usage roll-up are local to this zone */
  private final String zone;

  public DayRollupStore(Pool pool) {
    this(pool, ZoneOffset.UTC);
  }

  public DayRollupStore(Pool pool, ZoneId zone) {
    this.transaction = RollupLock.on(pool).isolation(Isolation.REPEATABLE_READ);
    this.zone = zone.getId();
  }

  /**
   * Recomputes one day's roll-ups from its raw sessions, in one REPEATABLE READ transaction under
   * the roll-up lock, so two nodes or two runs never interleave. Unless {@code force}, a day found
   * final under the lock is left alone (another run got there first). Returns whether the day was
   * recomputed.
   */
  public Future<Boolean> rollDay(
      LocalDate day,
      Instant start,
      Instant end,
      double minPlaySeconds,
      boolean finalizable,
      boolean force) {
    return transaction.run(
        conn ->
            (force ? Future.succeededFuture(false) : isFinalized(conn, day))
                .compose(
                    finalized ->
                        finalized
                            ? Future.succeededFuture(false)
                            : recompute(
                                    conn,
                                    day,
                                    utc(start),
                                    utc(end),
                                    minPlaySeconds,
                                    finalizable,
                                    zone)
                                .map(true)));
  }

  private static Future<Boolean> isFinalized(SqlConnection conn, LocalDate day) {
    return conn.preparedQuery(IS_FINALIZED)
        .execute(Tuple.of(day))
        .map(rows -> rows.size() > 0 && rows.iterator().next().getBoolean("finalized"));
  }

  /**
   * The order matters: the window delta reads the day's old content rows, the day's peak the new
   * hours.
   */
  private static Future<Void> recompute(
      SqlConnection conn,
      LocalDate day,
      OffsetDateTime start,
      OffsetDateTime end,
      double minPlaySeconds,
      boolean finalizable,
      String zone) {
    Tuple range = Tuple.of(start, end);
    Tuple plays = Tuple.of(day, start, end, minPlaySeconds);
    return conn.preparedQuery(DELETE_HOURS)
        .execute(range)
        .compose(v -> conn.preparedQuery(INSERT_HOURS).execute(range))
        .compose(v -> conn.preparedQuery(UPSERT_USER_LAST).execute(plays))
        .compose(v -> PopularWindowStore.applyDayChange(conn, plays))
        .compose(v -> conn.preparedQuery(DELETE_CONTENT).execute(Tuple.of(day)))
        .compose(v -> conn.preparedQuery(INSERT_CONTENT).execute(plays))
        // usage rows only for past days: today's usage answers are live from the raw sessions, and
        // today is re-rolled after every start and end
        .compose(
            v ->
                finalizable
                    ? BackfillStore.usage(
                        conn, new LocalDate[] {day}, new OffsetDateTime[] {start, end}, zone)
                    : Future.succeededFuture())
        .compose(
            v -> conn.preparedQuery(UPSERT_DAY).execute(Tuple.of(day, start, end, finalizable)))
        .mapEmpty();
  }
}
