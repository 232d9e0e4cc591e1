package io.tracearr.analytics.detect;

import io.tracearr.analytics.db.BatchedDelete;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Keeps sharing_alerts bounded: dismissed alerts whose dismissal is older than {@code
 * retention_days} go, in batches of 5000 (one short statement each); open alerts always stay. The
 * detector runs it hourly, once per cluster (PeriodicJobs "alert-retention"), and on {@code
 * alerts.retention}.
 */
final class AlertRetention {

  static final int BATCH = 5000;

  private static final String DELETE_BATCH =
      """
      DELETE FROM sharing_alerts WHERE id IN (
        SELECT id FROM sharing_alerts
        WHERE status = 'dismissed' AND (dismissed_at < $1 OR (dismissed_at IS NULL AND updated_at < $1))
        LIMIT $2)""";

  private final Pool pool;

  AlertRetention(Pool pool) {
    this.pool = pool;
  }

  Future<Long> run(Instant cutoff) {
    return BatchedDelete.run(
        pool, DELETE_BATCH, Tuple.of(OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC)), BATCH);
  }
}
