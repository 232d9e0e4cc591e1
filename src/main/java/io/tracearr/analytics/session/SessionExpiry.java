package io.tracearr.analytics.session;

import io.tracearr.analytics.db.BatchedDelete;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Deletes ended sessions that started before a cutoff, for the aggregator's retention (which
 * decides the cutoff: only days the roll-ups have made final). One batch per statement, so the
 * sessions table never sees a long-held lock or a huge transaction; open sessions are never
 * deleted.
 */
final class SessionExpiry {

  static final int BATCH = 5000;

  private static final String DELETE_BATCH =
      """
      DELETE FROM playback_sessions WHERE id IN (
        SELECT id FROM playback_sessions WHERE started_at < $1 AND ended_at IS NOT NULL LIMIT $2)""";

  private final Pool pool;

  SessionExpiry(Pool pool) {
    this.pool = pool;
  }

  /** Every ended session that started before {@code before}; completes with how many went. */
  Future<Long> expire(Instant before) {
    return BatchedDelete.run(
        pool, DELETE_BATCH, Tuple.of(OffsetDateTime.ofInstant(before, ZoneOffset.UTC)), BATCH);
  }
}
