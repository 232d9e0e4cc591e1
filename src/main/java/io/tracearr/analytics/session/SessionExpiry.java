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
      WITH d AS (
        DELETE FROM playback_sessions WHERE (id, started_at) IN (
          SELECT id, started_at FROM playback_sessions WHERE started_at < $1 AND ended_at IS NOT NULL LIMIT $2)
        RETURNING id)
      DELETE FROM session_ids WHERE id IN (SELECT id FROM d)""";

  private final Pool pool;
  private final SessionPartitions partitions;

  SessionExpiry(Pool pool) {
    this.pool = pool;
    this.partitions = new SessionPartitions(pool);
  }

  /**
   * Every ended session that started before {@code before}; completes with how many went. Whole
   * months before it go as partitions (issue 18), the rest (the month at the window's edge, the
   * DEFAULT partition, a month holding an open session) in batches.
   */
  Future<Long> expire(Instant before) {
    return partitions
        .dropBefore(before)
        .compose(
            dropped ->
                BatchedDelete.run(
                        pool,
                        DELETE_BATCH,
                        Tuple.of(OffsetDateTime.ofInstant(before, ZoneOffset.UTC)),
                        BATCH)
                    .map(deleted -> dropped + deleted));
  }
}
