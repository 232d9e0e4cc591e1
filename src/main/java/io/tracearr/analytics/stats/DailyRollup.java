package io.tracearr.analytics.stats;

import io.tracearr.analytics.config.AppConfig;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One roll-up run: moves the popular windows to today, decides which days to recompute and
 * recomputes them one by one (oldest first, today last). Re-rolled every run: today, every past day
 * not yet final, and days touched by sessions reported late since the last run; plus missing past
 * days (back-fill), up to a cap per run.
 */
public final class DailyRollup {

  private static final Logger log = LoggerFactory.getLogger(DailyRollup.class);

  /**
   * How far behind a run's start the late-report watermark is set: a session whose INSERT had begun
   * but not committed when the run looked is still seen by the next run.
   */
  static final Duration WATERMARK_MARGIN = Duration.ofMinutes(5);

  public static final int UNBOUNDED = Integer.MAX_VALUE;

  /**
   * From this many days to recompute, the popular windows are rebuilt once instead of updated per
   * day.
   */
  static final int WINDOW_REBUILD_DAYS = 32;

  /**
   * From this many consecutive missing days (a back-fill), they are recomputed set-wise, one
   * statement per table for the whole run, instead of five statements per day.
   */
  static final int SET_WISE_DAYS = 2;

  private final RollupStateStore stateStore;
  private final DayRollupStore dayStore;
  private final BackfillStore backfillStore;
  private final PopularWindowStore windowStore;
  private final StatsCalendar calendar;
  private final AppConfig.Analytics cfg;

  public DailyRollup(
      RollupStateStore stateStore,
      DayRollupStore dayStore,
      BackfillStore backfillStore,
      PopularWindowStore windowStore,
      StatsCalendar calendar,
      AppConfig.Analytics cfg) {
    this.stateStore = stateStore;
    this.dayStore = dayStore;
    this.backfillStore = backfillStore;
    this.windowStore = windowStore;
    this.calendar = calendar;
    this.cfg = cfg;
  }

  /**
   * Runs once; returns today's roll-up. {@code missingDaysCap} bounds the back-fill work of this
   * run.
   */
  public Future<DailyStat> run(int missingDaysCap) {
    return run(missingDaysCap, null);
  }

  /**
   * As {@link #run(int)}, with the days of {@code lateReport} (null: none) forced like a late
   * report's: an import's span, handed over because its sessions' created_at (their transaction's
   * start) may already be behind the watermark.
   */
  public Future<DailyStat> run(int missingDaysCap, RollupStateStore.Span lateReport) {
    return run(missingDaysCap, lateReport, null);
  }

  /**
   * As {@link #run(int, RollupStateStore.Span)} for an import that has committed: {@code
   * importedAt} is its transaction's start, the created_at of every row it wrote (null: not known).
   * When this run succeeds it has re-rolled the import's whole span after the commit, so the
   * instant is recorded (rollup_state.imports_rolled) and later runs' late-report path leaves those
   * rows out instead of re-rolling the span again until the watermark passes them. A failed run
   * records nothing: the later runs find the rows as they always did.
   */
  public Future<DailyStat> run(
      int missingDaysCap, RollupStateStore.Span lateReport, Instant importedAt) {
    LocalDate today = calendar.today();
    return stateStore
        .state()
        .compose(
            state -> {
              // retention purged the raw sessions before this day: a day there can no longer be
              // recomputed, its roll-up stands (imported rows for it are plays both tools saw)
              LocalDate retained = state.rawCompleteFrom();
              // asked BEFORE the late span is read (see RollupStateStore.NO_TWIN_TRANSACTION): a
              // live session created in the import's very microsecond is then either read by this
              // run or keeps the stamp from being recorded
              Future<Boolean> recordImport =
                  importedAt == null || lateReport == null
                      ? Future.succeededFuture(false)
                      : stateStore
                          .noTwinTransaction(importedAt)
                          .onSuccess(
                              alone -> {
                                if (!alone)
                                  log.info(
                                      "another transaction started with the import's ({}): later"
                                          + " runs re-roll its span too",
                                      importedAt);
                              })
                          // the check is only what lets the stamp be recorded: without it, the
                          // run still rolls the import up, and later runs re-roll it as before
                          .recover(
                              err -> {
                                log.warn("import stamp check failed: {}", err.toString());
                                return Future.succeededFuture(false);
                              });
              Future<Optional<RollupStateStore.Span>> late =
                  recordImport
                      .compose(v -> stateStore.lateSpan(state))
                      .map(
                          found ->
                              lateReport == null
                                  ? found
                                  : Optional.of(lateReport.with(found.orElse(null))));
              Future<List<LocalDate>> unfinalized = stateStore.unfinalizedBefore(today);
              Future<List<LocalDate>> missing = missingDays(today, missingDaysCap);
              return Future.all(late, unfinalized, missing)
                  .compose(
                      done -> {
                        // day -> force (recompute even if final)
                        Map<LocalDate, Boolean> plan = new TreeMap<>();
                        missing.result().forEach(d -> plan.put(d, false));
                        unfinalized.result().forEach(d -> plan.put(d, false));
                        // the days the late sessions span, and no others: each counts on the
                        // day it started, and its hours up to its end
                        late.result()
                            .ifPresent(
                                span -> {
                                  LocalDate first = calendar.dayOf(span.from());
                                  LocalDate last = calendar.dayOf(span.to());
                                  for (LocalDate d =
                                          retained != null && first.isBefore(retained)
                                              ? retained
                                              : first;
                                      d.isBefore(today) && !d.isAfter(last);
                                      d = d.plusDays(1)) plan.put(d, true);
                                });
                        plan.put(today, true);
                        if (missing.result().size() > 0)
                          log.info(
                              "back-filling {} missing day(s) from {}",
                              missing.result().size(),
                              missing.result().get(0));
                        boolean rebuild = plan.size() >= WINDOW_REBUILD_DAYS;
                        // days forced by a late report go set-wise too when there are enough of
                        // them to rebuild the windows anyway (an import of years of history)
                        Set<LocalDate> bulk = new HashSet<>(missing.result());
                        if (rebuild)
                          plan.forEach(
                              (d, forced) -> {
                                if (forced && d.isBefore(today)) bulk.add(d);
                              });
                        List<List<LocalDate>> setWise = setWiseRuns(plan, bulk);
                        Set<LocalDate> forced = new HashSet<>();
                        plan.forEach(
                            (d, force) -> {
                              if (force) forced.add(d);
                            });
                        setWise.forEach(run -> run.forEach(plan::remove));
                        // a set-wise run applies no per-day change to the popular windows: the last
                        // one rebuilds them ending today in its own transaction (so readers never
                        // see them empty), and the days rolled one by one after it apply their
                        // changes; without set-wise runs, a rebuild drops them first
                        Future<Void> rolled =
                            rebuild || !setWise.isEmpty()
                                ? (setWise.isEmpty()
                                        ? windowStore.dropWindows()
                                        : Future.<Void>succeededFuture())
                                    .compose(v -> backfill(setWise, forced, today))
                                    .compose(v -> rollAll(plan, today))
                                    .compose(v -> windowStore.alignWindows(today))
                                : windowStore
                                    .alignWindows(today)
                                    .compose(v -> rollAll(plan, today));
                        return rolled.compose(
                            v ->
                                stateStore.advanceWatermark(
                                    state.dbNow().minus(WATERMARK_MARGIN),
                                    recordImport.result() ? importedAt : null));
                      });
            })
        .compose(v -> stateStore.read(today))
        .map(row -> row.orElse(DailyStat.zero(today)));
  }

  private Future<Void> rollAll(Map<LocalDate, Boolean> plan, LocalDate today) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<LocalDate, Boolean> e : plan.entrySet()) {
      LocalDate day = e.getKey();
      chain =
          chain.compose(
              v ->
                  dayStore
                      .rollDay(
                          day,
                          calendar.start(day),
                          calendar.end(day),
                          cfg.minPlaySeconds(),
                          day.isBefore(today),
                          e.getValue())
                      .mapEmpty());
    }
    return chain;
  }

  /**
   * The days of the plan to recompute set-wise: runs of at least {@link #SET_WISE_DAYS} consecutive
   * days of {@code bulk} — missing days (a back-fill) and, in a run that rebuilds the popular
   * windows anyway, days forced by a late report (an import); a few forced days are re-rolled on
   * their own, and days not yet final stay per day, so that a periodic run never rebuilds the
   * popular windows — cut where a day boundary is not a whole number of hours after the run's start
   * (the sweep's hour buckets would differ).
   */
  List<List<LocalDate>> setWiseRuns(Map<LocalDate, Boolean> plan, Set<LocalDate> bulk) {
    List<LocalDate> candidates =
        plan.entrySet().stream()
            .filter(e -> bulk.contains(e.getKey()))
            .map(Map.Entry::getKey)
            .toList();
    List<List<LocalDate>> out = new ArrayList<>();
    for (List<LocalDate> run : BackfillStore.consecutiveRuns(candidates)) {
      List<LocalDate> cut = new ArrayList<>();
      Instant origin = null;
      for (LocalDate d : run) {
        if (origin != null && !wholeHours(origin, calendar.end(d))) {
          if (cut.size() >= SET_WISE_DAYS) out.add(cut);
          cut = new ArrayList<>();
          origin = null;
        }
        if (origin == null) {
          // a day of a fractional number of hours (a half-hour DST shift) is rolled on its own
          if (!wholeHours(calendar.start(d), calendar.end(d))) continue;
          origin = calendar.start(d);
        }
        cut.add(d);
      }
      if (cut.size() >= SET_WISE_DAYS) out.add(cut);
    }
    return out;
  }

  private static boolean wholeHours(Instant from, Instant to) {
    return Duration.between(from, to).toSeconds() % 3600 == 0;
  }

  private Future<Void> backfill(
      List<List<LocalDate>> runs, Set<LocalDate> forced, LocalDate today) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < runs.size(); i++) {
      List<LocalDate> run = runs.get(i);
      // the last run rebuilds the popular windows; the ones before it only clear them
      Optional<LocalDate> windowsEnd = i == runs.size() - 1 ? Optional.of(today) : Optional.empty();
      chain =
          chain
              .compose(
                  v ->
                      backfillStore.backfill(
                          run, calendar, cfg.minPlaySeconds(), forced, windowsEnd))
              .onSuccess(
                  done ->
                      log.info("back-filled {} day(s) set-wise from {}", done.size(), run.get(0)))
              .mapEmpty();
    }
    return chain;
  }

  /**
   * Past days since the first raw session with no roll-up row yet, oldest first, at most {@code
   * cap}.
   */
  private Future<List<LocalDate>> missingDays(LocalDate today, int cap) {
    return stateStore
        .earliestStart()
        .compose(
            first -> {
              if (first.isEmpty() || !calendar.dayOf(first.get()).isBefore(today))
                return Future.succeededFuture(List.of());
              LocalDate from = calendar.dayOf(first.get());
              return stateStore
                  .rolledUpDays(from, today)
                  .map(
                      (Set<LocalDate> have) -> {
                        List<LocalDate> out = new java.util.ArrayList<>();
                        for (LocalDate d = from;
                            d.isBefore(today) && out.size() < cap;
                            d = d.plusDays(1)) {
                          if (!have.contains(d)) out.add(d);
                        }
                        return out;
                      });
            });
  }
}
