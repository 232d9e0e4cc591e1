package io.tracearr.analytics.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * Runs a function of one connection as one transaction: begin, set the isolation level, the
 * function, commit; rollback when the function (or the commit) fails; the connection goes back to
 * the pool whatever happens. Optionally under a PostgreSQL advisory lock held for the whole
 * transaction, so that writers of the same tables on every node of the cluster take turns.
 *
 * <p>Immutable: configure once ({@code LockedTransaction.on(pool).advisoryLock(51050, 0)}), derive
 * variants ({@code .isolation(REPEATABLE_READ)}) and run it as often as needed.
 */
public final class LockedTransaction {

  public enum Isolation {
    READ_COMMITTED("READ COMMITTED"),
    REPEATABLE_READ("REPEATABLE READ"),
    SERIALIZABLE("SERIALIZABLE");

    private final String sql;

    Isolation(String sql) {
      this.sql = sql;
    }
  }

  private final Pool pool;

  /** null: no lock */
  private final String lock;

  private final String unlock;

  /** null: the database's default, and no statement sent for it */
  private final Isolation isolation;

  private LockedTransaction(Pool pool, String lock, String unlock, Isolation isolation) {
    this.pool = pool;
    this.lock = lock;
    this.unlock = unlock;
    this.isolation = isolation;
  }

  /** A transaction on a connection of {@code pool}: no lock, the database's default isolation. */
  public static LockedTransaction on(Pool pool) {
    return new LockedTransaction(pool, null, null, null);
  }

  /**
   * The same, holding the advisory lock {@code (key1, key2)} (PostgreSQL's two-integer key space,
   * apart from the one-bigint keys) from before the transaction begins until after it ended.
   *
   * <p>A session lock around the transaction, not {@code pg_advisory_xact_lock} inside it: the
   * statement taking a transaction lock would also take a REPEATABLE READ transaction's snapshot,
   * before waiting, so the waiter would work on data from before the previous holder's commit.
   */
  public LockedTransaction advisoryLock(int key1, int key2) {
    return new LockedTransaction(
        pool,
        "SELECT pg_advisory_lock(%d, %d)".formatted(key1, key2),
        "SELECT pg_advisory_unlock(%d, %d)".formatted(key1, key2),
        isolation);
  }

  /** The same, at {@code level}. */
  public LockedTransaction isolation(Isolation level) {
    return new LockedTransaction(pool, lock, unlock, level);
  }

  /**
   * Runs {@code work} in the transaction and completes with its result once committed, or with its
   * failure once rolled back. {@code work} must not begin, commit or roll back itself; statements
   * it sends on the connection before any query (e.g. {@code SET TRANSACTION SNAPSHOT}) still apply
   * to the transaction.
   */
  public <T> Future<T> run(Function<SqlConnection, Future<T>> work) {
    return pool.withConnection(
        conn ->
            lock == null
                ? transaction(conn, work)
                : conn.query(lock)
                    .execute()
                    .compose(v -> transaction(conn, work))
                    // a failed unlock means the session is gone, and PostgreSQL released the lock
                    // with it
                    .eventually(() -> conn.query(unlock).execute()));
  }

  private <T> Future<T> transaction(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    return conn.begin()
        .compose(
            tx ->
                (isolation == null
                        ? Future.<Void>succeededFuture()
                        : conn.query("SET TRANSACTION ISOLATION LEVEL " + isolation.sql)
                            .execute()
                            .<Void>mapEmpty())
                    .compose(v -> work.apply(conn))
                    .compose(result -> tx.commit().map(result))
                    // the rollback's own failure (e.g. the connection is gone) must not hide why
                    // the work failed
                    .recover(
                        err -> tx.rollback().transform(ignored -> Future.<T>failedFuture(err))));
  }
}
