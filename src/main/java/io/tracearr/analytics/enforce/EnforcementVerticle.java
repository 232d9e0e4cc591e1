package io.tracearr.analytics.enforce;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.cluster.PeriodicJobs;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.RuleAction;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.RuleBook;
import io.tracearr.analytics.detect.RuleSettingsStore;
import io.tracearr.analytics.node.NodeContext;
import io.tracearr.analytics.session.SessionRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on alerts (issue 15): terminates a session through the door it came in by ({@code
 * enforce.terminate}, from an admin or a rule), stores each rule action's intent when its alert is
 * raised and carries it out when due (claimed with a lease, so once per cluster, and taken over
 * when a node dies between decision and action), and writes the audit log ({@code audit.record}).
 * The one writer of {@code enforcement_actions} and {@code audit_log}.
 */
public final class EnforcementVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(EnforcementVerticle.class);
  private static final int CLAIM_BATCH = 20;
  private static final long AUDIT_RETENTION_INTERVAL_MS = 3_600_000;

  /** how often (once per cluster) alerts whose action was never stored are looked for */
  private static final long CATCH_UP_INTERVAL_MS = 5_000;

  /** the media server's stop call has its own bounded timeout (MediaApi) and one message first */
  private static final DeliveryOptions MEDIA = new DeliveryOptions().setSendTimeout(15_000);

  private static final DeliveryOptions LOCAL = SharedJson.command(10_000);

  private final NodeContext node;
  private final AppConfig.Enforcement cfg;
  private EnforcementStore store;
  private SessionRepository sessions;
  private RuleSettingsStore rules;
  private EventBus bus;
  private boolean claiming;

  public EnforcementVerticle(NodeContext node) {
    this.node = node;
    this.cfg = node.config().enforcement();
  }

  @Override
  public Future<?> start() {
    store = new EnforcementStore(node.pool());
    sessions = new SessionRepository(node.pool());
    rules = new RuleSettingsStore(node.pool(), node.config());
    bus = vertx.eventBus();
    vertx.setPeriodic(cfg.pollMs(), id -> claimDue());
    PeriodicJobs jobs = new PeriodicJobs(vertx, node);
    jobs.schedule("audit-retention", AUDIT_RETENTION_INTERVAL_MS, this::expireAudit);
    jobs.schedule("enforce-catch-up", CATCH_UP_INTERVAL_MS, this::catchUp);
    return Future.all(
        bus.<JsonObject>localConsumer(Addresses.ENFORCE_TERMINATE, this::terminateCommand)
            .completion(),
        bus.<JsonObject>localConsumer(Addresses.AUDIT_RECORD, this::record).completion(),
        // local: the node that raised the alert stores the intent; the unique alert_id makes a
        // second write a no-op
        bus.<JsonObject>localConsumer(Addresses.ALERT_RAISED, msg -> intake(msg.body()))
            .completion());
  }

  // ---- terminate
  // -----------------------------------------------------------------------------------------

  private void terminateCommand(Message<JsonObject> msg) {
    JsonObject cmd = msg.body();
    UUID id = UUID.fromString(cmd.getString("id"));
    terminate(id, cmd.getString("reason"), cmd.getString("trigger", "manual"))
        .onComplete(
            ar ->
                msg.reply(
                    ar.succeeded()
                        ? CommandReply.body(202, ar.result())
                        : CommandReply.problem(
                            ar.cause() instanceof Problem p
                                ? p
                                : DatabaseErrors.toProblem(ar.cause()))));
  }

  /**
   * Stops session {@code id} through its door, then ends it as terminated. {@code {"outcome":
   * terminated|already_ended|failed, "detail", "session"}}; a 404 problem for an unknown session.
   */
  Future<JsonObject> terminate(UUID id, String reason, String trigger) {
    return sessions
        .find(id)
        .compose(
            found -> {
              JsonObject s = found.orElseThrow(() -> Problem.notFound("No session " + id));
              if (s.getString("ended_at") != null) return Future.succeededFuture(alreadyEnded(s));
              return door(s, reason)
                  .compose(
                      doorDetail ->
                          endAsTerminated(id)
                              .map(
                                  reply -> {
                                    JsonObject session = reply.getJsonObject("session");
                                    // the watcher may have seen our stop take effect and ended the
                                    // session (as terminated) before the stop call answered
                                    if (!reply.getBoolean("ended", false)
                                        && !"terminated".equals(session.getString("ended_reason")))
                                      return alreadyEnded(session);
                                    node.metrics().sessionTerminated(trigger);
                                    JsonObject event =
                                        session
                                            .copy()
                                            .put("terminate_reason", reason)
                                            .put("terminate_trigger", trigger);
                                    bus.publish(
                                        Addresses.SESSION_TERMINATED, event, SharedJson.OPTIONS);
                                    return new JsonObject()
                                        .put("outcome", "terminated")
                                        .put("detail", doorDetail)
                                        .put("session", session);
                                  }),
                      failure ->
                          Future.succeededFuture(
                              new JsonObject()
                                  .put("outcome", "failed")
                                  .put("detail", failure.getMessage())
                                  .put("session", s)));
            });
  }

  private static JsonObject alreadyEnded(JsonObject s) {
    return new JsonObject()
        .put("outcome", "already_ended")
        .put("detail", "The session had already ended (" + s.getString("ended_reason") + ")")
        .put("session", s);
  }

  /**
   * The door's stop: a media server's own stop call (on the node watching that server); an ingest
   * socket's {@code terminate} message (published, the node holding the socket sends it); a plain
   * REST client has no channel, its next heartbeat answers 409 terminated.
   */
  private Future<String> door(JsonObject s, String reason) {
    String serverId = s.getString("server_id");
    if (serverId != null) {
      return bus.<JsonObject>request(
              Addresses.MEDIA_TERMINATE_PREFIX + serverId,
              new JsonObject().put("session_id", s.getString("id")).put("reason", reason),
              MEDIA)
          .transform(
              ar -> {
                if (ar.failed())
                  return Future.failedFuture(
                      "no node is watching media server "
                          + serverId
                          + " now: "
                          + ar.cause().getMessage());
                JsonObject r = ar.result().body();
                return r.getBoolean("ok", false)
                    ? Future.succeededFuture(r.getString("detail"))
                    : Future.failedFuture(r.getString("detail"));
              });
    }
    bus.publish(
        Addresses.INGEST_TERMINATE,
        new JsonObject().put("id", s.getString("id")).put("reason", reason));
    return Future.succeededFuture(
        "ended; a client on the ingest socket is told at once, a REST client's next heartbeat gets"
            + " 409 session-terminated");
  }

  private Future<JsonObject> endAsTerminated(UUID id) {
    return bus.<JsonObject>request(
            Addresses.SESSIONS_TERMINATE, new JsonObject().put("id", id.toString()), LOCAL)
        .map(Message::body)
        .compose(
            r ->
                r.containsKey("problem")
                    ? Future.failedFuture(problemOf(r))
                    : Future.succeededFuture(r));
  }

  // ---- rule actions
  // --------------------------------------------------------------------------------------

  /** An alert was raised here: its rule's action, if any, is stored before anything is done. */
  private void intake(JsonObject alert) {
    String rule = alert.getString("alert_type");
    rules
        .book()
        .compose(
            book -> {
              RuleBook.Setting setting = book.knows(rule) ? book.get(rule) : null;
              if (setting == null || !setting.action().terminates())
                return Future.succeededFuture();
              RuleAction a = setting.action();
              return store.intend(
                  UUID.fromString(alert.getString("id")),
                  UUID.fromString(alert.getString("user_id")),
                  rule,
                  a.toJson(),
                  a.delaySeconds());
            })
        .onFailure(
            err ->
                log.warn(
                    "the action of alert {} could not be stored: {}",
                    alert.getString("id"),
                    err.toString()));
  }

  /**
   * A node that died between committing an alert and storing its action lost the intent: the
   * catch-up stores it (due as it would have been), so the action still runs once.
   */
  private Future<?> catchUp() {
    return rules
        .book()
        .compose(
            book -> {
              List<Future<?>> each = new ArrayList<>();
              for (String rule : io.tracearr.analytics.config.ConfigLoader.RULES) {
                RuleBook.Setting setting = book.knows(rule) ? book.get(rule) : null;
                if (setting == null || !setting.action().terminates()) continue;
                RuleAction a = setting.action();
                each.add(
                    store
                        .catchUp(rule, a.toJson(), a.delaySeconds())
                        .onSuccess(
                            n -> {
                              if (n > 0)
                                log.warn(
                                    "stored {} {} action(s) whose intent was lost (a node died"
                                        + " after raising the alert)",
                                    n,
                                    rule);
                            }));
              }
              return Future.join(each);
            });
  }

  private void claimDue() {
    if (claiming) return;
    claiming = true;
    store
        .claim(node.nodeId(), cfg.claimSeconds(), CLAIM_BATCH)
        .compose(
            due -> {
              List<Future<?>> runs = new ArrayList<>();
              for (JsonObject a : due) runs.add(carryOut(a));
              return Future.join(runs);
            })
        .onComplete(
            ar -> {
              claiming = false;
              if (ar.failed()) log.debug("claiming due actions failed: {}", ar.cause().toString());
            });
  }

  /**
   * Cooldown first (counted from the last action that ran), then the rule judged again on the
   * current sessions (the sustain window is over), then the targets terminated.
   */
  private Future<?> carryOut(JsonObject row) {
    UUID id = UUID.fromString(row.getString("id"));
    UUID user = UUID.fromString(row.getString("user_id"));
    String rule = row.getString("rule");
    JsonObject action = row.getJsonObject("action");
    int cooldown = action.getInteger("cooldown_minutes", 0);
    Future<Outcome> outcome =
        store
            .lastRun(user, rule, id)
            .compose(
                last -> {
                  if (last != null
                      && cooldown > 0
                      && last.plus(Duration.ofMinutes(cooldown)).isAfter(Instant.now()))
                    return Future.succeededFuture(
                        new Outcome(
                            "skipped_cooldown",
                            "an action for this user and rule ran at "
                                + last
                                + " (cooldown "
                                + cooldown
                                + " min)",
                            List.of()));
                  return rejudgeAndAct(row, action);
                });
    return outcome
        .recover(err -> Future.succeededFuture(new Outcome("failed", err.getMessage(), List.of())))
        .compose(o -> store.finish(id, node.nodeId(), o.outcome, o.detail, o.sessions))
        .onSuccess(
            finished ->
                finished.ifPresent(
                    a ->
                        bus.publish(
                            Addresses.ALERT_ACTION,
                            new JsonObject()
                                .put("alert_id", a.getString("alert_id"))
                                .put("user_id", a.getString("user_id"))
                                .put("action", a))));
  }

  private record Outcome(String outcome, String detail, List<UUID> sessions) {}

  private Future<Outcome> rejudgeAndAct(JsonObject row, JsonObject action) {
    return bus.<JsonObject>request(
            Addresses.DETECT_REJUDGE,
            new JsonObject().put("alert_id", row.getString("alert_id")),
            LOCAL)
        .map(Message::body)
        .compose(
            reply -> {
              if (reply.containsKey("problem")) return Future.failedFuture(problemOf(reply));
              JsonObject verdict = reply.getJsonObject("body", reply);
              if (!verdict.getBoolean("holds", false))
                return Future.succeededFuture(
                    new Outcome(
                        "skipped_condition_cleared",
                        "judged again after "
                            + action.getInteger("delay_seconds", 0)
                            + " s: the violation no longer holds",
                        List.of()));
              Integer trustBelow = action.getInteger("only_if_trust_below");
              Double trust = verdict.getDouble("trust_score");
              if (trustBelow != null && trust != null && trust >= trustBelow)
                return Future.succeededFuture(
                    new Outcome(
                        "skipped_trust",
                        "trust score " + trust + " is not below " + trustBelow,
                        List.of()));
              List<String> targets =
                  targets(
                      action.getString("target", "triggering"),
                      verdict.getJsonArray("session_ids", new JsonArray()),
                      verdict.getJsonArray("active_session_ids", new JsonArray()));
              return terminateAll(targets, action.getString("message"));
            });
  }

  /**
   * The sessions a target names. {@code triggering}: the sessions of the finding now; {@code
   * newest} / {@code oldest} / {@code all_but_oldest}: among those, by start; {@code all}: every
   * active session of the user. A finding without sessions (device spike) stands for the user's
   * active sessions.
   */
  static List<String> targets(String target, JsonArray finding, JsonArray activeByStart) {
    List<String> active = activeByStart.stream().map(String::valueOf).toList();
    List<String> involved =
        finding.isEmpty() ? active : active.stream().filter(id -> finding.contains(id)).toList();
    return switch (target) {
      case "all" -> active;
      case "newest" -> involved.isEmpty() ? List.of() : List.of(involved.get(involved.size() - 1));
      case "oldest" -> involved.isEmpty() ? List.of() : List.of(involved.get(0));
      case "all_but_oldest" ->
          involved.size() <= 1 ? List.of() : involved.subList(1, involved.size());
      default -> involved;
    };
  }

  private Future<Outcome> terminateAll(List<String> targets, String message) {
    if (targets.isEmpty())
      return Future.succeededFuture(
          new Outcome(
              "skipped_already_ended", "no session of the target is still playing", List.of()));
    List<Future<JsonObject>> each = new ArrayList<>();
    for (String t : targets)
      each.add(
          terminate(
              UUID.fromString(t), message == null || message.isBlank() ? null : message, "rule"));
    return Future.join(each)
        .transform(
            ignored -> {
              List<UUID> done = new ArrayList<>();
              List<String> details = new ArrayList<>();
              boolean failed = false;
              for (int i = 0; i < each.size(); i++) {
                Future<JsonObject> f = each.get(i);
                String outcome = f.succeeded() ? f.result().getString("outcome") : "failed";
                if ("terminated".equals(outcome)) done.add(UUID.fromString(targets.get(i)));
                if ("failed".equals(outcome)) failed = true;
                details.add(
                    targets.get(i)
                        + ": "
                        + outcome
                        + (f.succeeded() ? "" : " (" + f.cause().getMessage() + ")"));
              }
              String outcome =
                  !done.isEmpty() ? "terminated" : failed ? "failed" : "skipped_already_ended";
              return Future.succeededFuture(new Outcome(outcome, String.join("; ", details), done));
            });
  }

  // ---- audit
  // ---------------------------------------------------------------------------------------------

  private void record(Message<JsonObject> msg) {
    store
        .audit(msg.body())
        .onComplete(
            ar -> {
              if (ar.failed())
                log.warn(
                    "audit entry not written: {} ({})", msg.body().encode(), ar.cause().toString());
              msg.reply(new JsonObject().put("recorded", ar.succeeded()));
            });
  }

  /** Kept four times as long as raw sessions ({@code retention_days} × 4), deleted in batches. */
  private Future<Long> expireAudit() {
    Instant cutoff =
        Instant.now().minus(Duration.ofDays(4L * node.config().analytics().retentionDays()));
    return store.expireAudit(cutoff);
  }

  /** A command's problem reply as a failure of the same status. */
  private static Problem problemOf(JsonObject reply) {
    JsonObject p = reply.getJsonObject("problem");
    int status = reply.getInteger("status", 500);
    String detail = p == null ? null : p.getString("detail");
    if (status == 404) return Problem.notFound(detail);
    if (status == 503) return Problem.unavailable(detail);
    return new Problem(status, "command-failed", "Command failed", detail, null);
  }
}
