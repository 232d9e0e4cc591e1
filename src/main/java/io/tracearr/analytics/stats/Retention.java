package io.tracearr.analytics.stats;

import io.tracearr.analytics.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.util.function.Function;

/**
 * Keeps the raw sessions bounded: sessions older than {@code retention_days} go once their days are final
 * (the roll-ups keep answering for them). Deletes run in small batches, one short statement each, so sessions
 * are never locked for long. Alerts are not the aggregator's: the detector, which writes sharing_alerts,
 * keeps them bounded.
 */
public final class Retention {

  static final int BATCH = 5000;

  public record Outcome(long sessionsDeleted, LocalDate sessionsKeptFrom) {
    public JsonObject toJson() {
      return new JsonObject().put("sessions_deleted", sessionsDeleted)
          .put("sessions_kept_from", sessionsKeptFrom == null ? null : sessionsKeptFrom.toString());
    }
  }

  private final RollupStateStore stateStore;
  private final RetentionStore retentionStore;
  private final StatsCalendar calendar;
  private final AppConfig.Analytics cfg;

  public Retention(RollupStateStore stateStore, RetentionStore retentionStore, StatsCalendar calendar,
      AppConfig.Analytics cfg) {
    this.stateStore = stateStore;
    this.retentionStore = retentionStore;
    this.calendar = calendar;
    this.cfg = cfg;
  }

  public Future<Outcome> run() {
    LocalDate cutoff = calendar.today().minusDays(cfg.retentionDays());
    return purgeableUntil(cutoff).compose(until -> {
      Future<Long> sessions = until == null ? Future.succeededFuture(0L)
          : batches(batch -> retentionStore.deleteSessionsBatch(calendar.start(until), batch), 0L);
      return sessions.map(s -> new Outcome(s, until));
    });
  }

  /**
   * The first day whose sessions must stay: walking from the oldest raw session's day towards the cutoff,
   * the first day that is not final (or has no roll-up at all) stops the purge. Null when nothing may go.
   */
  private Future<LocalDate> purgeableUntil(LocalDate cutoff) {
    return stateStore.earliestStart().compose(first -> {
      if (first.isEmpty()) return Future.succeededFuture(null);
      LocalDate from = calendar.dayOf(first.get());
      if (!from.isBefore(cutoff)) return Future.succeededFuture(null);
      return stateStore.finalizedDays(from, cutoff).map(finalDays -> {
        LocalDate d = from;
        while (d.isBefore(cutoff) && finalDays.contains(d)) d = d.plusDays(1);
        return d.equals(from) ? null : d;
      });
    });
  }

  private static Future<Long> batches(Function<Integer, Future<Integer>> deleteBatch, long soFar) {
    return deleteBatch.apply(BATCH).compose(n -> n < BATCH
        ? Future.succeededFuture(soFar + n)
        : batches(deleteBatch, soFar + n));
  }
}
