package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;

/** The deletes retention makes: raw sessions only (the roll-ups are kept forever). */
public final class RetentionStore {

  /** One batch per statement, so the sessions table never sees a long-held lock or a huge transaction. */
  private static final String DELETE_SESSIONS_BATCH = """
      DELETE FROM playback_sessions WHERE id IN (
        SELECT id FROM playback_sessions WHERE started_at < $1 AND ended_at IS NOT NULL LIMIT $2)""";

  private final Pool pool;

  public RetentionStore(Pool pool) {
    this.pool = pool;
  }

  /** Deletes one batch of ended sessions that started before {@code before}; returns how many. */
  public Future<Integer> deleteSessionsBatch(Instant before, int batch) {
    return pool.preparedQuery(DELETE_SESSIONS_BATCH).execute(Tuple.of(utc(before), batch)).map(rows -> rows.rowCount());
  }
}
