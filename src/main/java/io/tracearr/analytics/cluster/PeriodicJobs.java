package io.tracearr.analytics.cluster;

import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs periodic work once per interval cluster-wide. Every node ticks; at each tick a node tries to
 * claim the slot {@code (job, epoch-seconds / interval)} with an INSERT; the one INSERT that
 * succeeds runs the job. Unlike a held lock, nothing is left behind when a node is killed: the next
 * slot is claimed by a survivor. Jobs are idempotent, so a slot lost to a crash mid-run costs one
 * interval at most.
 */
public final class PeriodicJobs {

  private static final Logger log = LoggerFactory.getLogger(PeriodicJobs.class);
  private static final String CLAIM =
      """
      INSERT INTO job_runs (job, slot, node_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING""";
  private static final String FINISH =
      "UPDATE job_runs SET finished_at = now() WHERE job = $1 AND slot = $2";
  private static final String PRUNE =
      "DELETE FROM job_runs WHERE claimed_at < now() - interval '1 day'";

  private final Vertx vertx;
  private final Pool pool;
  private final NodeContext node;

  public PeriodicJobs(Vertx vertx, NodeContext node) {
    this.vertx = vertx;
    this.pool = node.pool();
    this.node = node;
  }

  /** Schedules {@code job} every {@code intervalMs}; returns the timer id. */
  public long schedule(String job, long intervalMs, Supplier<Future<?>> work) {
    // ticks land a little after each slot boundary so nodes with the same clock agree on the slot
    return vertx.setPeriodic(
        Math.min(intervalMs, 1000) / 2 + 1,
        Math.max(50, intervalMs / 4),
        id -> tick(job, intervalMs, work));
  }

  private final java.util.Map<String, Long> lastSlot = new java.util.HashMap<>();
  private final java.util.Set<String> running = new java.util.HashSet<>();

  private void tick(String job, long intervalMs, Supplier<Future<?>> work) {
    long slot = System.currentTimeMillis() / intervalMs;
    Long last = lastSlot.get(job);
    if (last != null && last >= slot) return;
    lastSlot.put(job, slot);
    // a run still going on this node is not started again (slow runs would otherwise pile up on the
    // pool)
    if (!running.add(job)) return;
    claim(job, slot)
        .compose(
            won -> {
              if (!won) return Future.succeededFuture();
              return work.get()
                  .compose(v -> pool.preparedQuery(FINISH).execute(Tuple.of(job, slot)).mapEmpty());
            })
        .onComplete(
            ar -> {
              running.remove(job);
              if (ar.failed()) log.warn("periodic job {} failed: {}", job, ar.cause().toString());
            });
  }

  /** True for the one node whose claim of this slot wins; every won claim is counted per job. */
  public Future<Boolean> claim(String job, long slot) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(job, slot, node.nodeId()))
        .map(
            rows -> {
              boolean won = rows.rowCount() == 1;
              if (won) node.metrics().periodicJob(job);
              return won;
            });
  }

  public Future<Void> prune() {
    return pool.query(PRUNE).execute().mapEmpty();
  }
}
