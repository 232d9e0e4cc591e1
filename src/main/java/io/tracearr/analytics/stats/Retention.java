package io.tracearr.analytics.stats;

import io.tracearr.analytics.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keeps the raw sessions bounded: sessions older than {@code retention_days} go once their days are
 * final (the roll-ups keep answering for them). This class decides how far; the registry, which
 * owns playback_sessions, deletes ({@code sessions.expire}, in small batches). Alerts are not the
 * aggregator's: the detector, which writes sharing_alerts, keeps them bounded.
 */
public final class Retention {

  public record Outcome(long sessionsDeleted, LocalDate sessionsKeptFrom) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("sessions_deleted", sessionsDeleted)
          .put("sessions_kept_from", sessionsKeptFrom == null ? null : sessionsKeptFrom.toString());
    }
  }

  private final RollupStateStore stateStore;

  /**
   * the registry's {@code sessions.expire}: deletes ended sessions started before the instant,
   * returns how many
   */
  private final Function<Instant, Future<Long>> expireSessions;

  private final StatsCalendar calendar;
  private final AppConfig.Analytics cfg;

  public Retention(
      RollupStateStore stateStore,
      Function<Instant, Future<Long>> expireSessions,
      StatsCalendar calendar,
      AppConfig.Analytics cfg) {
    this.stateStore = stateStore;
    this.expireSessions = expireSessions;
    this.calendar = calendar;
    this.cfg = cfg;
  }

  public Future<Outcome> run() {
    LocalDate cutoff = calendar.today().minusDays(cfg.retentionDays());
    return purgeableUntil(cutoff)
        .compose(
            until -> {
              // the horizon moves before the purge: a roll-up running in between must not
              // recompute a day whose raw rows are about to go
              Future<Long> sessions =
                  until == null
                      ? Future.succeededFuture(0L)
                      : stateStore
                          .advanceHorizon(until)
                          .compose(v -> expireSessions.apply(calendar.start(until)));
              return sessions.map(s -> new Outcome(s, until));
            });
  }

  /**
   * The first day whose sessions must stay: walking from the oldest raw session's day towards the
   * cutoff, the first day that is not final (or has no roll-up at all) stops the purge. Null when
   * nothing may go.
   */
  private Future<LocalDate> purgeableUntil(LocalDate requested) {
    // sessions reported late (an import) that no roll-up has seen yet stay, with every later day:
    // purged before the roll-up, their days would keep roll-ups that never counted them (an import
    // whose own roll-up succeeded has been counted: the late span leaves its rows out)
    Future<Optional<Instant>> unseen =
        stateStore
            .state()
            .compose(stateStore::lateSpan)
            .map(span -> span.map(RollupStateStore.Span::from));
    return Future.all(stateStore.earliestStart(), unseen)
        .compose(
            both -> {
              Optional<Instant> first = both.resultAt(0);
              Optional<Instant> late = both.resultAt(1);
              if (first.isEmpty()) return Future.succeededFuture(null);
              LocalDate cutoff =
                  late.map(calendar::dayOf).filter(d -> d.isBefore(requested)).orElse(requested);
              LocalDate from = calendar.dayOf(first.get());
              if (!from.isBefore(cutoff)) return Future.succeededFuture(null);
              return stateStore
                  .finalizedDays(from, cutoff)
                  .map(
                      finalDays -> {
                        LocalDate d = from;
                        while (d.isBefore(cutoff) && finalDays.contains(d)) d = d.plusDays(1);
                        return d.equals(from) ? null : d;
                      });
            });
  }
}
