package io.tracearr.analytics.stats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.cluster.PeriodicJobs;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the roll-up tables current (today every {@code rollup_interval_seconds}, past days until
 * they are final, missing days back-filled at startup), applies retention hourly, and answers the
 * local {@code stats.query.today} query live. Periodic work runs once per interval cluster-wide
 * ({@link PeriodicJobs}); on one node, runs are serialised so a slow run never piles up concurrent
 * ones.
 */
public final class AggregatorVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AggregatorVerticle.class);

  /** How many missing past days one periodic run back-fills (the startup back-fill has no cap). */
  static final int PERIODIC_BACKFILL_CAP = 31;

  static final long RETENTION_INTERVAL_MS = 3_600_000;

  /** a first purge of millions of rows takes minutes */
  private static final io.vertx.core.eventbus.DeliveryOptions EXPIRE =
      new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(3_600_000);

  /**
   * runs waiting behind the running one; a periodic run beyond this is skipped (the next slot
   * catches up)
   */
  private static final int MAX_QUEUED = 1;

  /**
   * A start or end committed on this node is rolled into today this long after it (the starts and
   * ends of a burst share one run), so popular day/week and the {@code stats.updated} frames follow
   * within this delay plus one run of today.
   */
  static final long CHANGE_DELAY_MS = 200;

  /**
   * Change-triggered runs start at least this far apart on one node: under a flood of starts (a
   * benchmark, a server reconnecting with hundreds of playbacks) today is re-rolled once a second,
   * not back to back, so roll-ups cannot crowd out ingest.
   */
  static final long CHANGE_MIN_GAP_MS = 1000;

  private boolean changePending;
  private long lastChangeRunMs;

  private final NodeContext node;
  private final AppConfig.Analytics cfg;
  private StatsRepository stats;
  private DailyRollup rollup;
  private Retention retention;
  private Future<?> tail = Future.succeededFuture();
  private int queued;
  private Future<Retention.Outcome> retentionInFlight;
  private PeriodicJobs jobs;

  public AggregatorVerticle(NodeContext node) {
    this.node = node;
    this.cfg = node.config().analytics();
  }

  @Override
  public Future<?> start() {
    StatsCalendar calendar = new StatsCalendar(cfg.timezone());
    RollupStateStore stateStore = new RollupStateStore(node.pool());
    stats = new StatsRepository(node.pool(), calendar);
    rollup =
        new DailyRollup(
            stateStore,
            new DayRollupStore(node.pool(), cfg.timezone()),
            new BackfillStore(node.pool()),
            new PopularWindowStore(node.pool()),
            calendar,
            cfg);
    retention = new Retention(stateStore, this::expireSessions, calendar, cfg);
    Future<?> consumers =
        Future.all(
            vertx
                .eventBus()
                .<JsonObject>localConsumer(
                    Addresses.STATS_ROLLUP,
                    msg ->
                        reply(
                            msg,
                            rollup(
                                "manual",
                                lateReport(msg.body()),
                                instant(msg.body(), "imported_at"))))
                .completion(),
            vertx
                .eventBus()
                .<JsonObject>localConsumer(
                    Addresses.STATS_RETENTION,
                    msg -> reply(msg, retention(true).map(Retention.Outcome::toJson)))
                .completion());
    // local: each start or end is re-rolled once in the cluster, by the node whose registry
    // committed it
    vertx.eventBus().<JsonObject>localConsumer(Addresses.SESSION_STARTED, msg -> changed());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.SESSION_ENDED, msg -> changed());
    return consumers.onSuccess(
        v -> {
          if (cfg.enabled()) scheduleJobs();
        });
  }

  private void scheduleJobs() {
    jobs = new PeriodicJobs(vertx, node);
    jobs.schedule("rollup", cfg.rollupIntervalSeconds() * 1000L, () -> rollup("periodic"));
    jobs.schedule("retention", RETENTION_INTERVAL_MS, () -> retention(false));
    // one node back-fills per minute of startups; the others' periodic runs would pick up what is
    // left anyway
    jobs.claim("rollup-backfill", System.currentTimeMillis() / 60_000)
        .onSuccess(
            won -> {
              if (won) rollup("startup");
            })
        .onFailure(err -> log.warn("startup back-fill claim failed: {}", err.toString()));
  }

  /** Today changed (a start or an end): one roll-up soon, shared by the changes meanwhile. */
  private void changed() {
    if (!cfg.enabled() || changePending) return;
    changePending = true;
    long delay =
        Math.max(CHANGE_DELAY_MS, lastChangeRunMs + CHANGE_MIN_GAP_MS - System.currentTimeMillis());
    vertx.setTimer(
        delay,
        id -> {
          changePending = false;
          lastChangeRunMs = System.currentTimeMillis();
          rollup("change");
        });
  }

  /**
   * Queues a roll-up behind the one running on this node. Every completed run publishes today's
   * figures cluster-wide and is timed.
   */
  private Future<JsonObject> rollup(String trigger) {
    return rollup(trigger, null, null);
  }

  /**
   * {@code "late_from"} and {@code "late_to"} of a manual run: the earliest start and latest end of
   * sessions just committed late (an import), which the late-report watermark may not show (their
   * created_at is their transaction's start). Without {@code late_to}, every day from {@code
   * late_from} to today. With them, {@code "imported_at"}: that transaction's start (the sessions'
   * created_at), recorded as rolled up when the run succeeds, so that later runs do not re-roll the
   * same span through the late-report path ({@link DailyRollup#run(int, RollupStateStore.Span,
   * Instant)}).
   */
  static RollupStateStore.Span lateReport(JsonObject cmd) {
    Instant from = instant(cmd, "late_from");
    if (from == null) return null;
    Instant to = instant(cmd, "late_to");
    return new RollupStateStore.Span(from, to == null || to.isBefore(from) ? Instant.now() : to);
  }

  private static Instant instant(JsonObject cmd, String key) {
    String at = cmd == null ? null : cmd.getString(key);
    try {
      return at == null ? null : Instant.parse(at);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private Future<JsonObject> rollup(
      String trigger, RollupStateStore.Span lateReport, Instant importedAt) {
    // a run that has not started yet will see every change committed before it starts
    if ((trigger.equals("periodic") || trigger.equals("change")) && queued >= MAX_QUEUED) {
      runs(trigger, "skipped").increment();
      return Future.succeededFuture();
    }
    queued++;
    Promise<JsonObject> done = Promise.promise();
    tail =
        tail.transform(
            previous -> {
              queued--;
              Timer.Sample sample = Timer.start(node.metrics().registry());
              int cap =
                  trigger.equals("periodic") || trigger.equals("change")
                      ? PERIODIC_BACKFILL_CAP
                      : DailyRollup.UNBOUNDED;
              // the frame says which past roll-ups the gateways' cached past parts must match:
              // usage_version moves in the transaction of every past-day rewrite, so a run that
              // only re-rolled today leaves it, and the gateways keep their past parts
              return rollup
                  .run(cap, lateReport, importedAt)
                  .compose(
                      today ->
                          stats
                              .pastVersion()
                              .map(v -> today.toJson().put("past_version", v))
                              .otherwise(err -> today.toJson()))
                  .onComplete(
                      ar -> {
                        sample.stop(node.metrics().rollupDuration);
                        if (ar.succeeded()) {
                          runs(trigger, "done").increment();
                          vertx.eventBus().publish(Addresses.STATS_UPDATED, ar.result());
                        } else {
                          runs(trigger, "failed").increment();
                          log.warn("{} roll-up failed: {}", trigger, ar.cause().toString());
                        }
                        done.handle(ar);
                      });
            });
    return done.future();
  }

  /**
   * A manual request waits for a run in flight and then runs; a periodic one joins the run in
   * flight.
   */
  private Future<Retention.Outcome> retention(boolean manual) {
    if (retentionInFlight != null) {
      return manual ? retentionInFlight.transform(previous -> retention(true)) : retentionInFlight;
    }
    // job_runs claims older than a day are bookkeeping nobody reads: retention is the natural
    // sweeper
    Future<Retention.Outcome> run =
        retention
            .run()
            .compose(o -> jobs == null ? Future.succeededFuture(o) : jobs.prune().map(o))
            .onSuccess(
                o -> {
                  if (o.sessionsDeleted() > 0) {
                    log.info("retention removed {} session(s)", o.sessionsDeleted());
                  }
                })
            .onFailure(err -> log.warn("retention failed: {}", err.toString()));
    retentionInFlight = run;
    run.onComplete(ar -> retentionInFlight = null);
    return run;
  }

  private Future<Long> expireSessions(Instant before) {
    return vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.SESSIONS_EXPIRE, new JsonObject().put("before", before.toString()), EXPIRE)
        .map(msg -> msg.body().getLong("deleted"));
  }

  private Counter runs(String trigger, String outcome) {
    return Counter.builder("analytics_rollup_runs")
        .description("Roll-up runs on this node, by trigger and outcome")
        .tag("trigger", trigger)
        .tag("outcome", outcome)
        .register(node.metrics().registry());
  }

  private static void reply(Message<JsonObject> msg, Future<JsonObject> answer) {
    answer.onSuccess(msg::reply).onFailure(err -> msg.fail(503, String.valueOf(err.getMessage())));
  }
}
