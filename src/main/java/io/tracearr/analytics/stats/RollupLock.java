package io.tracearr.analytics.stats;

import io.tracearr.analytics.db.LockedTransaction;
import io.vertx.sqlclient.Pool;

/**
 * One advisory lock for every roll-up write (key 51050, 0): roll-ups of different days all update
 * the popular windows, so they are serialised cluster-wide; each day's transaction is short, and
 * the lock is released between days so runs interleave.
 */
final class RollupLock {

  static final int KEY = 51050;

  private RollupLock() {}

  static LockedTransaction on(Pool pool) {
    return LockedTransaction.on(pool).advisoryLock(KEY, 0);
  }
}
