package io.tracearr.analytics.db;

import io.tracearr.analytics.api.Problem;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed database call into the problem a client sees: unavailable (retry) or an internal
 * error.
 */
public final class DatabaseErrors {

  private static final Logger log = LoggerFactory.getLogger(DatabaseErrors.class);

  private DatabaseErrors() {}

  /**
   * A value PostgreSQL refuses to store (SQLSTATE class 22, data exception: a NUL in text, a number
   * out of range) or a constraint it violates (class 23): retrying the same statement can never
   * succeed.
   */
  public static boolean isDataError(Throwable err) {
    if (!(err instanceof PgException pg) || pg.getSqlState() == null) return false;
    return pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23");
  }

  public static Problem toProblem(Throwable err) {
    if (err instanceof Problem p) return p;
    if (err instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      // 08 connection, 53 resources, 57 operator intervention (shutdown): the database is away,
      // retry later
      if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57")) {
        return Problem.unavailable("The database is unavailable; retry shortly");
      }
      log.error("database error {}: {}", state, pg.getMessage());
      return Problem.ofStatus(500);
    }
    // connection refused/closed, pool wait queue full, connect timeout: all mean "not now"
    log.debug("database unavailable: {}", err.toString());
    return Problem.unavailable("The database is unavailable; retry shortly");
  }
}
