package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The roll-up's bookkeeping: the late-report watermark (rollup_state), and the reads that plan a
 * run or a purge (which days have a roll-up, which are final, where the raw sessions begin).
 */
public final class RollupStateStore {

  private static final String READ_DAY =
      """
      SELECT day, total_sessions, total_duration_seconds, unique_users, total_bytes::bigint AS total_bytes,
             transcoded_sessions, peak_concurrent_streams
      FROM daily_stats WHERE day = $1""";

  private static final String STATE =
      "SELECT late_watermark, raw_complete_from, now() AS db_now FROM rollup_state";
  private static final String ADVANCE_WATERMARK =
      "UPDATE rollup_state SET late_watermark = GREATEST(late_watermark, $1)";
  private static final String ADVANCE_HORIZON =
      "UPDATE rollup_state SET raw_complete_from = GREATEST(raw_complete_from, $1)";

  /**
   * The predicate repeats the partial index's, so the planner can use it. The min is taken over a
   * sub-select the planner may not flatten (OFFSET 0): a bare min(started_at) lets it walk
   * playback_sessions_started in order hoping to meet a late row early, which reads the whole table
   * when there is none (63 s at 10 M rows).
   */
  /**
   * The span of the sessions reported late since a watermark: from the earliest start to the latest
   * end (an open session's is now). A late session changes only the days it spans, so only those
   * are re-rolled, not every day up to today (an import of years ago must not re-roll the recent
   * months of live history).
   */
  private static final String LATE_SPAN =
      """
      SELECT min(started_at) AS started_at, max(COALESCE(ended_at, now())) AS ended_at FROM (
        SELECT started_at, ended_at FROM playback_sessions
        WHERE created_at - started_at > interval '5 minutes' AND created_at > $1
        OFFSET 0) late""";

  private static final String EARLIEST_START =
      "SELECT min(started_at) AS started_at FROM playback_sessions";
  private static final String UNFINALIZED =
      "SELECT day FROM daily_stats WHERE NOT finalized AND day < $1 ORDER BY day";
  private static final String ROLLED_UP_DAYS =
      "SELECT day FROM daily_stats WHERE day >= $1 AND day < $2";

  /** also read by the back-fill, under the roll-up lock */
  static final String FINALIZED_DAYS =
      "SELECT day FROM daily_stats WHERE finalized AND day >= $1 AND day < $2";

  /**
   * {@code rawCompleteFrom}: the first day whose raw sessions are all still there (null: retention
   * never purged, every day is complete).
   */
  public record State(Instant watermark, LocalDate rawCompleteFrom, Instant dbNow) {}

  private final Pool pool;

  public RollupStateStore(Pool pool) {
    this.pool = pool;
  }

  public Future<State> state() {
    return pool.query(STATE)
        .execute()
        .map(
            rows -> {
              Row r = rows.iterator().next();
              return new State(
                  r.getOffsetDateTime("late_watermark").toInstant(),
                  r.getLocalDate("raw_complete_from"),
                  r.getOffsetDateTime("db_now").toInstant());
            });
  }

  public Future<Void> advanceWatermark(Instant to) {
    return pool.preparedQuery(ADVANCE_WATERMARK).execute(Tuple.of(utc(to))).mapEmpty();
  }

  /** Retention purged the raw sessions of the days before {@code day}. */
  Future<Void> advanceHorizon(LocalDate day) {
    return pool.preparedQuery(ADVANCE_HORIZON).execute(Tuple.of(day)).mapEmpty();
  }

  /** From the earliest start to the latest end of a set of sessions. */
  public record Span(Instant from, Instant to) {

    /** the smallest span holding both (null: none) */
    public Span with(Span other) {
      if (other == null) return this;
      return new Span(
          from.isBefore(other.from) ? from : other.from, to.isAfter(other.to) ? to : other.to);
    }
  }

  /**
   * The span of the sessions reported late (created well after they started) since {@code since}.
   */
  public Future<Optional<Span>> lateSpan(Instant since) {
    return pool.preparedQuery(LATE_SPAN)
        .execute(Tuple.of(utc(since)))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              OffsetDateTime from = r.getOffsetDateTime("started_at");
              OffsetDateTime to = r.getOffsetDateTime("ended_at");
              return from == null
                  ? Optional.<Span>empty()
                  : Optional.of(new Span(from.toInstant(), to.toInstant()));
            });
  }

  public Future<Optional<Instant>> earliestStart() {
    return pool.query(EARLIEST_START).execute().map(RollupStateStore::instant);
  }

  public Future<List<LocalDate>> unfinalizedBefore(LocalDate day) {
    return pool.preparedQuery(UNFINALIZED)
        .execute(Tuple.of(day))
        .map(
            rows -> {
              List<LocalDate> out = new ArrayList<>();
              for (Row r : rows) out.add(r.getLocalDate("day"));
              return out;
            });
  }

  /** Days of [from, to) that have a roll-up row. */
  public Future<Set<LocalDate>> rolledUpDays(LocalDate from, LocalDate to) {
    return days(ROLLED_UP_DAYS, from, to);
  }

  /** Days of [from, to) whose roll-up is final. */
  public Future<Set<LocalDate>> finalizedDays(LocalDate from, LocalDate to) {
    return days(FINALIZED_DAYS, from, to);
  }

  public Future<Optional<DailyStat>> read(LocalDate day) {
    return pool.preparedQuery(READ_DAY)
        .execute(Tuple.of(day))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(StatsRepository.rolledUp(rows.iterator().next())));
  }

  private Future<Set<LocalDate>> days(String sql, LocalDate from, LocalDate to) {
    return pool.preparedQuery(sql)
        .execute(Tuple.of(from, to))
        .map(
            rows -> {
              Set<LocalDate> out = new HashSet<>();
              for (Row r : rows) out.add(r.getLocalDate("day"));
              return out;
            });
  }

  private static Optional<Instant> instant(RowSet<Row> rows) {
    OffsetDateTime t = rows.iterator().next().getOffsetDateTime("started_at");
    return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
  }
}
