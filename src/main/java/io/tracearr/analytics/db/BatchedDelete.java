package io.tracearr.analytics.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * A large delete as a run of short statements: one batch per statement ({@code DELETE … WHERE id IN
 * (SELECT … LIMIT $n)}), repeated while a batch comes back full, so a table never sees a long-held
 * lock or a huge transaction. The statement's last parameter is the batch size.
 */
public final class BatchedDelete {

  private BatchedDelete() {}

  /**
   * Runs {@code sql} with {@code args} plus the batch size until a batch deletes fewer rows; the
   * total deleted.
   */
  public static Future<Long> run(Pool pool, String sql, Tuple args, int batch) {
    Tuple withBatch = Tuple.tuple();
    for (int i = 0; i < args.size(); i++) withBatch.addValue(args.getValue(i));
    return next(pool, sql, withBatch.addInteger(batch), batch, 0L);
  }

  private static Future<Long> next(Pool pool, String sql, Tuple args, int batch, long soFar) {
    return pool.preparedQuery(sql)
        .execute(args)
        .compose(
            rows ->
                rows.rowCount() < batch
                    ? Future.succeededFuture(soFar + rows.rowCount())
                    : next(pool, sql, args, batch, soFar + rows.rowCount()));
  }
}
