package io.tracearr.analytics.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.db.LockedTransaction.Isolation;
import io.tracearr.analytics.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LockedTransaction} against the real PostgreSQL: what the work writes is committed together
 * or not at all, the connection and the lock are given back whatever happens, and the lock makes a
 * second transaction wait and then see the first one's commit (even at REPEATABLE READ).
 */
@ExtendWith(VertxExtension.class)
class LockedTransactionTest {

  /** a key no production lock uses */
  private static final int KEY = 424_242;

  static Vertx vertx;
  static DatabaseUrl db;

  /** watches pg_locks and counts rows from outside the transactions under test */
  static Pool observer;

  Pool pool;

  @BeforeAll
  static void database(Vertx shared) {
    vertx = shared;
    db = TestDatabase.fresh();
    observer = pool(2);
    await(observer.query("CREATE TABLE marks (n int NOT NULL)").execute());
  }

  @BeforeEach
  void connect() {
    await(observer.query("TRUNCATE marks").execute());
    pool = pool(2);
  }

  @AfterEach
  void close() {
    await(pool.close());
  }

  @Test
  void commitsTheWorkAndAnswersItsResult() {
    String result =
        await(
            LockedTransaction.on(pool)
                .advisoryLock(KEY, 1)
                .run(conn -> mark(conn, 1).compose(v -> mark(conn, 2)).map("done")));
    assertEquals("done", result);
    assertEquals(2, marks());
  }

  @Test
  void aFailingFunctionRollsBackAndNothingIsWritten() {
    IllegalStateException boom = new IllegalStateException("boom");
    Throwable failure =
        failure(
            LockedTransaction.on(pool)
                .advisoryLock(KEY, 1)
                .run(conn -> mark(conn, 1).compose(v -> Future.failedFuture(boom))));
    assertSame(boom, failure, "the work's own failure, not the rollback's");
    assertEquals(0, marks());
  }

  @Test
  void aFailingStatementRollsBackTheStatementsBeforeIt() {
    failure(
        LockedTransaction.on(pool)
            .run(
                conn ->
                    mark(conn, 1)
                        .compose(v -> conn.query("INSERT INTO marks VALUES (NULL)").execute())));
    assertEquals(0, marks());
  }

  @Test
  void theConnectionAndTheLockAreGivenBackAfterAFailure() {
    Pool single = pool(1);
    try {
      LockedTransaction tx = LockedTransaction.on(single).advisoryLock(KEY, 2);
      failure(tx.run(conn -> Future.failedFuture(new IllegalStateException("boom"))));
      assertEquals(0, heldLocks(2, true), "unlocked, though the connection stays open in the pool");
      // with one connection in the pool, this waits for ever unless the failed run gave it back
      assertEquals("ran", await(tx.run(conn -> mark(conn, 1).map("ran"))));
    } finally {
      await(single.close());
    }
  }

  @Test
  void aSecondTransactionWaitsForTheLockThenSeesTheFirstOnesCommit() {
    LockedTransaction tx = LockedTransaction.on(pool).advisoryLock(KEY, 3);
    Promise<Void> firstHolds = Promise.promise();
    Promise<Void> letFirstFinish = Promise.promise();
    Future<Void> first =
        tx.run(
            conn ->
                mark(conn, 1)
                    .compose(
                        v -> {
                          firstHolds.complete();
                          return letFirstFinish.future();
                        }));
    await(firstHolds.future());

    AtomicBoolean secondStarted = new AtomicBoolean();
    // REPEATABLE READ: a snapshot taken before the lock was granted would not see the first
    // transaction's row
    Future<Long> second =
        tx.isolation(Isolation.REPEATABLE_READ)
            .run(
                conn -> {
                  secondStarted.set(true);
                  return conn.query("SELECT count(*) FROM marks")
                      .execute()
                      .map(rows -> rows.iterator().next().getLong(0));
                });
    await(condition(() -> locks(3, false).map(n -> n == 1)));
    assertFalse(secondStarted.get(), "the second transaction waits for the lock");
    assertEquals(0, marks(), "the first has not committed yet");

    letFirstFinish.complete();
    await(first);
    assertEquals(
        1L, await(second), "the second ran after the first's commit, on a snapshot that holds it");
    assertTrue(secondStarted.get());
    assertEquals(0, heldLocks(3, true));
  }

  @ParameterizedTest
  @EnumSource(Isolation.class)
  void runsAtTheIsolationLevelAsked(Isolation level) {
    assertEquals(
        level.name().toLowerCase().replace('_', ' '),
        await(LockedTransaction.on(pool).isolation(level).run(LockedTransactionTest::isolation)));
  }

  @Test
  void withoutAnIsolationLevelRunsAtTheDatabaseDefault() {
    assertEquals(
        "read committed", await(LockedTransaction.on(pool).run(LockedTransactionTest::isolation)));
  }

  // ---- helpers
  // ---------------------------------------------------------------------------------------------

  private static Pool pool(int size) {
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(db.host())
            .setPort(db.port())
            .setDatabase(db.database())
            .setUser(db.user())
            .setPassword(db.password());
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  private static Future<Void> mark(SqlConnection conn, int n) {
    return conn.query("INSERT INTO marks VALUES (" + n + ")").execute().mapEmpty();
  }

  private static Future<String> isolation(SqlConnection conn) {
    return conn.query("SHOW transaction_isolation")
        .execute()
        .map(rows -> rows.iterator().next().getString(0));
  }

  private static long marks() {
    return await(observer.query("SELECT count(*) FROM marks").execute())
        .iterator()
        .next()
        .getLong(0);
  }

  private static long heldLocks(int key2, boolean granted) {
    return await(locks(key2, granted));
  }

  /** Sessions holding ({@code granted}) or waiting for the lock (KEY, key2), seen from outside. */
  private static Future<Long> locks(int key2, boolean granted) {
    return observer
        .query(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                + KEY
                + " AND objid = "
                + key2
                + " AND objsubid = 2 AND granted = "
                + granted)
        .execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Completes once {@code check} answers true, polled on a Vert.x timer (no sleeping thread). */
  private static Future<Void> condition(Supplier<Future<Boolean>> check) {
    Promise<Void> done = Promise.promise();
    poll(check, done);
    return done.future();
  }

  private static void poll(Supplier<Future<Boolean>> check, Promise<Void> done) {
    check
        .get()
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result()) done.complete();
              else if (ar.failed()) done.fail(ar.cause());
              else vertx.setTimer(20, id -> poll(check, done));
            });
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage()
          .toCompletableFuture()
          .get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Throwable failure(Future<?> f) {
    return await(
        f.transform(
            ar ->
                ar.succeeded()
                    ? Future.failedFuture(
                        new AssertionError("expected a failure, got " + ar.result()))
                    : Future.succeededFuture(ar.cause())));
  }
}
