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
      "SELECT late_watermark, raw_complete_from, imports_rolled, now() AS db_now FROM rollup_state";

  /**
   * Moves the watermark on and keeps the rolled imports' stamps above it (at or below it, the
   * watermark alone leaves their rows out), plus {@code $2} (none or one stamp: the import this run
   * rolled up). The stamps are recomputed from the row as it is now, not from the run's state: a
   * stamp another node's run recorded meanwhile stays.
   */
  private static final String ADVANCE_WATERMARK =
      """
      UPDATE rollup_state SET
        late_watermark = GREATEST(late_watermark, $1),
        imports_rolled = ARRAY(
          SELECT DISTINCT s FROM unnest(imports_rolled || $2::timestamptz[]) s
          WHERE s > GREATEST(late_watermark, $1) ORDER BY s)""";

  private static final String ADVANCE_HORIZON =
      "UPDATE rollup_state SET raw_complete_from = GREATEST(raw_complete_from, $1)";

  /**
   * Whether no transaction other than the committed import's is open with the import's start as its
   * own start (pg_stat_activity.xact_start is the now() of the backend's transaction). The ranges
   * of {@link #LATE_SPAN} leave out every row created at a recorded stamp, so the only row they
   * could wrongly leave out is a live late session whose transaction began in the very microsecond
   * of the import's. Asked before the run reads the late span, this makes that exact: such a
   * transaction has either ended (PostgreSQL clears xact_start after the commit is visible, so the
   * run's late span reads it, or the watermark had already passed it for every run) or shows here,
   * and then the stamp is not recorded (later runs re-roll the import's span as they did before
   * stamps). Without track_activities nothing shows, so nothing is recorded.
   */
  private static final String NO_TWIN_TRANSACTION =
      """
      SELECT current_setting('track_activities')::boolean
             AND NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE xact_start = $1) AS alone""";

  /**
   * The span of the sessions reported late since a watermark: from the earliest start to the latest
   * end (an open session's is now). A late session changes only the days it spans, so only those
   * are re-rolled, not every day up to today (an import of years ago must not re-roll the recent
   * months of live history).
   *
   * <p>The partial index playback_sessions_late is read by ranges of created_at, ($1[i], $2[i]),
   * which leave out the stamps of imports already rolled up: the lows are the watermark and the
   * sorted stamps, the highs the stamps ($2 is one shorter: unnest pads it with a NULL, the last
   * range is unbounded). Each range is its own index scan, so the million rows of a rolled import,
   * all at one created_at, are never visited; a single scan filtering {@code created_at <> ALL}
   * would read every one of them on every run. Both bounds are index conditions (COALESCE, not an
   * OR on the bound: that would leave the upper bound as a filter over the rows above the
   * watermark).
   *
   * <p>The predicate repeats the partial index's, so the planner can use it. The sub-selects may
   * not be flattened (OFFSET 0): the outer one because a bare min(started_at) lets the planner walk
   * playback_sessions_started in order hoping to meet a late row early, which reads the whole table
   * when there is none (63 s at 10 M rows); the inner one keeps each range a parameterised scan of
   * the index instead of a join the planner could turn into one scan of the whole index.
   */
  static final String LATE_SPAN =
      """
      SELECT min(started_at) AS started_at, max(COALESCE(ended_at, now())) AS ended_at FROM (
        SELECT p.started_at, p.ended_at
        FROM unnest($1::timestamptz[], $2::timestamptz[]) AS r(lo, hi)
        CROSS JOIN LATERAL (
          SELECT started_at, ended_at FROM playback_sessions
          WHERE created_at - started_at > interval '5 minutes'
            AND created_at > r.lo AND created_at < COALESCE(r.hi, 'infinity')
          OFFSET 0) p
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
   * never purged, every day is complete). {@code importsRolled}: the transaction starts of imports
   * already rolled up, above the watermark, sorted.
   */
  public record State(
      Instant watermark, LocalDate rawCompleteFrom, List<Instant> importsRolled, Instant dbNow) {}

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
              List<Instant> rolled = new ArrayList<>();
              for (OffsetDateTime t : r.getArrayOfOffsetDateTimes("imports_rolled"))
                rolled.add(t.toInstant());
              return new State(
                  r.getOffsetDateTime("late_watermark").toInstant(),
                  r.getLocalDate("raw_complete_from"),
                  List.copyOf(rolled),
                  r.getOffsetDateTime("db_now").toInstant());
            });
  }

  public Future<Void> advanceWatermark(Instant to) {
    return advanceWatermark(to, null);
  }

  /**
   * Moves the watermark to {@code to} (never back) and records {@code rolledImport} (null: none),
   * the transaction start of an import whose roll-up this run was: the late-report path leaves
   * sessions created at that instant out from now on.
   */
  public Future<Void> advanceWatermark(Instant to, Instant rolledImport) {
    OffsetDateTime[] stamps =
        rolledImport == null ? new OffsetDateTime[0] : new OffsetDateTime[] {utc(rolledImport)};
    return pool.preparedQuery(ADVANCE_WATERMARK)
        .execute(Tuple.of(utc(to)).addArrayOfOffsetDateTime(stamps))
        .mapEmpty();
  }

  /**
   * Whether the import whose transaction started at {@code importedAt} (committed) is the only
   * transaction that started then: see {@link #NO_TWIN_TRANSACTION}.
   */
  public Future<Boolean> noTwinTransaction(Instant importedAt) {
    return pool.preparedQuery(NO_TWIN_TRANSACTION)
        .execute(Tuple.of(utc(importedAt)))
        .map(rows -> rows.iterator().next().getBoolean("alone"));
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
   * The span of the sessions reported late (created well after they started) since the state's
   * watermark, but for the rows of the imports it says were rolled up already.
   */
  public Future<Optional<Span>> lateSpan(State state) {
    return lateSpan(state.watermark(), state.importsRolled());
  }

  /**
   * The span of the sessions reported late since {@code since}, but for those created at one of
   * {@code skipped} (the rolled imports' transaction starts).
   */
  Future<Optional<Span>> lateSpan(Instant since, List<Instant> skipped) {
    Tuple ranges = lateRanges(since, skipped);
    return pool.preparedQuery(LATE_SPAN)
        .execute(ranges)
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

  /**
   * The bounds of {@link #LATE_SPAN}'s ranges: lows {@code since} and the stamps above it, sorted;
   * highs the same stamps (one fewer: the last range is unbounded).
   */
  static Tuple lateRanges(Instant since, List<Instant> skipped) {
    List<OffsetDateTime> stamps =
        skipped.stream()
            .filter(s -> s.isAfter(since))
            .distinct()
            .sorted()
            .map(StatsCalendar::utc)
            .toList();
    OffsetDateTime[] lo = new OffsetDateTime[stamps.size() + 1];
    lo[0] = utc(since);
    for (int i = 0; i < stamps.size(); i++) lo[i + 1] = stamps.get(i);
    return Tuple.tuple()
        .addArrayOfOffsetDateTime(lo)
        .addArrayOfOffsetDateTime(stamps.toArray(new OffsetDateTime[0]));
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
