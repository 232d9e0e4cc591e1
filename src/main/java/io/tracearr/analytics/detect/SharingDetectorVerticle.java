package io.tracearr.analytics.detect;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.StoredText;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.cluster.PeriodicJobs;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.rules.Finding;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges account sharing: each session event handed over by the local registry ({@code
 * detect.session}), a periodic DetectSharing sweep of every user watching (once per interval
 * cluster-wide), and a sweep on demand ({@code detect.sweep}). Findings become alerts in
 * PostgreSQL, which decides what is new, so any number of detectors may judge the same user at
 * once; the facts are published cluster-wide.
 */
public final class SharingDetectorVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SharingDetectorVerticle.class);

  /** users judged at once by a sweep: leaves pool connections for the real-time path */
  private static final int SWEEP_PARALLELISM = 4;

  private static final long OPEN_COUNT_INTERVAL_MS = 5_000;
  private static final long ALERT_RETENTION_INTERVAL_MS = 3_600_000;
  private static final long TRUST_RECOVERY_INTERVAL_MS = 86_400_000;

  static final int MAX_DEVICE_KEY_LENGTH = 500;
  static final int MAX_LABEL_LENGTH = 200;

  private final NodeContext node;

  /** rebuilt when a rule's settings change ({@code PUT /rules/{rule}}, on any node) */
  private SharingRules rules;

  private RuleSettingsStore ruleSettings;

  /**
   * Users being judged on this node. Events for a user arriving meanwhile are folded into one
   * follow-up judgement (it reads the database afresh, so it sees everything they announced): per
   * user at most one judgement runs and one waits, however fast events come.
   */
  private final Map<UUID, Judging> judging = new HashMap<>();

  /** real-time judgements (a session started or moved) waiting for a slot: they go first */
  private final java.util.ArrayDeque<Runnable> waitingTurn = new java.util.ArrayDeque<>();

  /** the sweep's judgements waiting: they start only when no real-time judgement waits */
  private final java.util.ArrayDeque<Runnable> sweepWaiting = new java.util.ArrayDeque<>();

  private final int maxInFlight;

  /**
   * The sweep never holds every slot: a start arriving during a sweep of 10 000 users would
   * otherwise wait behind sweep judgements (benchmark scenario 3/10: alerts 5-70 s late, exactly
   * the sweep's duration).
   */
  private final int maxSweepInFlight;

  private int inFlight;
  private int sweepInFlight;

  /** slots handed to waiting judgements that start on the next turn of the loop */
  private int reserved;

  private int reservedSweep;
  private AlertRepository alerts;
  private ActivityRepository activity;
  private DeviceLedger devices;
  private AlertRetention retention;
  private UserControlsStore controlsStore;
  private EventBus bus;

  private static final class Judging {
    Promise<List<JsonObject>> next;

    /** a real-time event waits in {@link #next}: the follow-up judgement is real-time too */
    boolean nextRealTime;
  }

  public SharingDetectorVerticle(NodeContext node) {
    this.node = node;
    this.rules =
        new SharingRules(RuleBook.fromConfig(node.config()).detection(), node.geo().enabled());
    this.maxInFlight = Math.max(1, node.config().database().poolSize() / 2);
    this.maxSweepInFlight = Math.max(1, maxInFlight - 1);
  }

  @Override
  public Future<?> start() {
    alerts = new AlertRepository(node.pool());
    activity = new ActivityRepository(node.pool());
    devices = new DeviceLedger(node.pool());
    retention = new AlertRetention(node.pool());
    controlsStore = new UserControlsStore(node.pool());
    bus = vertx.eventBus();
    ruleSettings = new RuleSettingsStore(node.pool(), node.config());
    new PeriodicJobs(vertx, node)
        .schedule(
            "trust-recovery",
            TRUST_RECOVERY_INTERVAL_MS,
            () -> recoverTrust(LocalDate.now(ZoneOffset.UTC).minusDays(1)));
    refreshOpenCount();
    vertx.setPeriodic(OPEN_COUNT_INTERVAL_MS, id -> refreshOpenCount());
    new PeriodicJobs(vertx, node)
        .schedule("alert-retention", ALERT_RETENTION_INTERVAL_MS, this::expireAlerts);
    return reloadRules()
        .recover(
            err -> {
              log.warn(
                  "stored rule settings could not be read, using the config file's: {}",
                  err.toString());
              scheduleSweep();
              return Future.succeededFuture();
            })
        .compose(v -> consumers());
  }

  private boolean sweepScheduled;

  /**
   * The periodic sweep, once some rule is on (at start, or when PUT /rules/{rule} switches one on
   * later); with every rule off no sweep is claimed.
   */
  private void scheduleSweep() {
    if (sweepScheduled || !rules.any()) return;
    sweepScheduled = true;
    long intervalMs = node.config().analytics().sharingDetection().sweepSeconds() * 1000L;
    new PeriodicJobs(vertx, node).schedule("detect-sweep", intervalMs, this::sweep);
  }

  private Future<Void> reloadRules() {
    return ruleSettings
        .book()
        .map(
            b -> {
              rules = new SharingRules(b.detection(), node.geo().enabled());
              scheduleSweep();
              if (!rules.any())
                log.info(
                    "sharing detection is off (sharing_detection.enabled or every rule switched off)");
              return null;
            });
  }

  private Future<?> consumers() {
    return Future.all(
        List.of(
            bus.<JsonObject>localConsumer(Addresses.RULES_UPDATE, this::updateRule).completion(),
            bus.<JsonObject>localConsumer(Addresses.DETECT_REJUDGE, this::rejudge).completion(),
            bus.<JsonObject>consumer(
                    Addresses.RULES_CHANGED,
                    msg ->
                        reloadRules()
                            .onFailure(
                                err -> log.warn("rule settings reload failed: {}", err.toString())))
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.DETECT_SESSION, msg -> judgeEvent(msg.body()))
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.DETECT_SWEEP, this::sweepOnDemand).completion(),
            bus.<JsonObject>localConsumer(Addresses.ALERTS_DISMISS, this::dismiss).completion(),
            bus.<JsonObject>localConsumer(
                    Addresses.ALERTS_RETENTION,
                    msg ->
                        expireAlerts()
                            .onComplete(
                                ar -> {
                                  if (ar.succeeded())
                                    msg.reply(new JsonObject().put("alerts_deleted", ar.result()));
                                  else msg.fail(503, ar.cause().toString());
                                }))
                .completion(),
            bus.<JsonObject>consumer(Addresses.ALERT_DISMISSED, msg -> refreshOpenCount())
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.USERS_RULES_PUT, this::putRules).completion(),
            bus.<JsonObject>localConsumer(Addresses.USERS_DEVICES_TRUST, this::trustDevice)
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.USERS_DEVICES_UNTRUST, this::untrustDevice)
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.TRUST_RECOVER, this::recoverOnDemand)
                .completion()));
  }

  // ---- real time
  // -----------------------------------------------------------------------------------------

  private void judgeEvent(JsonObject event) {
    JsonObject session = event.getJsonObject("session");
    UUID user;
    try {
      user = UUID.fromString(session.getString("user_id"));
    } catch (RuntimeException e) {
      log.warn("detect.session event without a user id ignored: {}", event.encode());
      return;
    }
    long t0 = System.nanoTime();
    // the device is recorded first: the device-spike rule must see it in this judgement
    // a device never seen for this user is a fact of its own (notifications' device.new); the
    // ledger's insert
    // decides it, so it is published once however many detectors record the device
    Future<Void> recorded =
        "started".equals(event.getString("reason"))
            ? devices
                .record(
                    user,
                    session.getString("device_key"),
                    Instant.parse(session.getString("started_at")))
                .compose(
                    inserted -> {
                      if (!inserted) return Future.<Void>succeededFuture();
                      // a trusted device is never a new device, not even the first time
                      return controlsOf(user)
                          .map(
                              c -> {
                                if (!c.trusts(session.getString("device_key")))
                                  bus.publish(Addresses.DEVICE_NEW, session, SharedJson.OPTIONS);
                                return (Void) null;
                              });
                    })
            : Future.succeededFuture();
    if (!rules.any()) {
      recorded.onFailure(
          err ->
              log.warn(
                  "recording the device of session {} failed: {}",
                  session.getString("id"),
                  err.toString()));
      return;
    }
    recorded
        .recover(
            err -> {
              log.warn(
                  "recording the device of session {} failed: {}",
                  session.getString("id"),
                  err.toString());
              return Future.succeededFuture();
            })
        .compose(v -> judgeUser(user, true))
        .onComplete(
            ar -> {
              node.metrics().detectionLatency.record(Duration.ofNanos(System.nanoTime() - t0));
              if (ar.failed()) {
                log.warn(
                    "judging user {} after {} of session {} failed: {}",
                    user,
                    event.getString("reason"),
                    session.getString("id"),
                    ar.cause().toString());
              }
            });
  }

  // ---- DetectSharing
  // ---------------------------------------------------------------------------------------

  private void sweepOnDemand(Message<JsonObject> msg) {
    sweep()
        .onComplete(
            ar -> {
              if (ar.succeeded())
                msg.reply(new JsonObject().put("items", new JsonArray(ar.result())));
              else msg.fail(503, ar.cause().toString());
            });
  }

  /** Judges every user with an active session; the alerts raised or updated by this sweep. */
  Future<List<JsonObject>> sweep() {
    if (!rules.any()) return Future.succeededFuture(List.of());
    return devices
        .recordOpenSessions()
        .compose(v -> activity.usersWatching())
        .compose(
            users -> {
              Promise<List<JsonObject>> done = Promise.promise();
              new SweepRun(users, done).launch();
              return done.future();
            });
  }

  /** Judges a list of users, {@link #SWEEP_PARALLELISM} at a time; stops at the first failure. */
  private final class SweepRun {
    private final List<UUID> users;
    private final Promise<List<JsonObject>> done;
    private final List<JsonObject> changed = new ArrayList<>();
    private int nextIndex;
    private int running;
    private Throwable failure;

    SweepRun(List<UUID> users, Promise<List<JsonObject>> done) {
      this.users = users;
      this.done = done;
    }

    void launch() {
      while (failure == null && running < SWEEP_PARALLELISM && nextIndex < users.size()) {
        UUID user = users.get(nextIndex++);
        running++;
        judgeUser(user, false)
            .onComplete(
                ar -> {
                  running--;
                  if (ar.succeeded()) changed.addAll(ar.result());
                  else if (failure == null) failure = ar.cause();
                  launch();
                });
      }
      if (running == 0 && (failure != null || nextIndex >= users.size())) {
        if (failure != null) done.tryFail(failure);
        else done.tryComplete(changed);
      }
    }
  }

  // ---- one user
  // --------------------------------------------------------------------------------------------

  /**
   * The alerts this judgement raised or updated. {@code realTime}: a session event's judgement (an
   * alert someone waits for); false: the periodic sweep's, which yields to them.
   */
  Future<List<JsonObject>> judgeUser(UUID user, boolean realTime) {
    Judging current = judging.get(user);
    if (current != null) {
      if (current.next == null) current.next = Promise.promise();
      current.nextRealTime |= realTime;
      return current.next.future();
    }
    Judging mine = new Judging();
    judging.put(user, mine);
    return run(user, mine, realTime);
  }

  private Future<List<JsonObject>> run(UUID user, Judging state, boolean realTime) {
    return evaluate(user, realTime)
        .andThen(
            ar -> {
              Promise<List<JsonObject>> waiting = state.next;
              if (waiting == null) {
                judging.remove(user);
              } else {
                boolean nextRealTime = state.nextRealTime;
                state.next = null;
                state.nextRealTime = false;
                run(user, state, nextRealTime).onComplete(waiting);
              }
            });
  }

  /**
   * At most half the pool judges at once; the rest wait here (at most one entry per user, see
   * {@link #judging}), so a flood of starts for many users never starves the starts themselves of
   * connections. Real-time judgements take a free slot before any waiting sweep judgement, and the
   * sweep holds at most {@link #maxSweepInFlight} slots: a sweep over every watching user (tens of
   * seconds on a loaded machine) must not hold back the alert of a start that arrives meanwhile.
   */
  private Future<List<JsonObject>> evaluate(UUID user, boolean realTime) {
    Promise<List<JsonObject>> result = Promise.promise();
    Runnable task =
        () -> {
          inFlight++;
          if (!realTime) sweepInFlight++;
          evaluateNow(user)
              .onComplete(
                  ar -> {
                    inFlight--;
                    if (!realTime) sweepInFlight--;
                    // the slot is handed out before the result is: a sweep whose completion
                    // launches its next user must find it taken by a waiting real-time judgement
                    startWaiting();
                    result.handle(ar);
                  });
        };
    boolean now =
        realTime
            ? inFlight + reserved < maxInFlight
            : waitingTurn.isEmpty()
                && inFlight + reserved < maxInFlight
                && sweepInFlight + reservedSweep < maxSweepInFlight;
    if (now) task.run();
    else (realTime ? waitingTurn : sweepWaiting).add(task);
    return result.future();
  }

  /**
   * Starts waiting judgements on a fresh call stack (a run of failures must not recurse), real-time
   * first. The slots are reserved now, so nothing started before the callback can take them.
   */
  private void startWaiting() {
    List<Runnable> next = new ArrayList<>();
    int sweeps = 0;
    while (inFlight + reserved + next.size() < maxInFlight) {
      if (!waitingTurn.isEmpty()) {
        next.add(waitingTurn.poll());
      } else if (!sweepWaiting.isEmpty()
          && sweepInFlight + reservedSweep + sweeps < maxSweepInFlight) {
        next.add(sweepWaiting.poll());
        sweeps++;
      } else {
        break;
      }
    }
    if (next.isEmpty()) return;
    int starts = next.size();
    int sweepStarts = sweeps;
    reserved += starts;
    reservedSweep += sweepStarts;
    context.runOnContext(
        v -> {
          // each task counts itself in inFlight as it runs
          reserved -= starts;
          reservedSweep -= sweepStarts;
          next.forEach(Runnable::run);
        });
  }

  private Future<List<JsonObject>> evaluateNow(UUID user) {
    Instant now = Instant.now();
    Future<ActivityRepository.UserActivity> loaded =
        activity.load(
            user,
            now,
            rules.needsSessions(),
            rules.needsDevices() ? SharingRules.DEVICE_WINDOW : null);
    Future<UserControls> controls = controlsOf(user);
    return Future.all(loaded, controls)
        .compose(
            both -> {
              List<Finding> findings = rules.judge(loaded.result(), now, controls.result());
              if (findings.isEmpty()) return Future.succeededFuture(List.of());
              List<Future<Optional<AlertRepository.Recorded>>> recorded =
                  new ArrayList<>(findings.size());
              for (Finding f : findings)
                recorded.add(alerts.record(user, f, node.config().trust().penalty(f.severity())));
              return Future.all(recorded).map(v -> announce(recorded));
            });
  }

  private List<JsonObject> announce(List<Future<Optional<AlertRepository.Recorded>>> recorded) {
    List<JsonObject> changed = new ArrayList<>();
    boolean raised = false;
    for (var f : recorded) {
      if (f.result().isEmpty()) continue;
      AlertRepository.Recorded r = f.result().get();
      JsonObject alert = r.alert();
      changed.add(alert);
      if (r.inserted()) {
        raised = true;
        node.metrics().alertRaised(alert.getString("alert_type"), alert.getString("severity"));
        bus.publish(Addresses.ALERT_RAISED, alert);
      } else {
        bus.publish(Addresses.ALERT_UPDATED, alert);
      }
    }
    if (raised) refreshOpenCount();
    return changed;
  }

  // ---- operators' commands
  // ------------------------------------------------------------------------------------

  /**
   * {@code rules.update {"rule", "body", "by"}}: validated against the current book (400 naming the
   * field, 404 for an unknown rule, nothing written then), stored, applied here at once and on the
   * other nodes by {@code events.rules.changed}. Replies 200 with {@code {"before", "after"}}.
   */
  private void updateRule(Message<JsonObject> msg) {
    String rule = msg.body().getString("rule");
    JsonObject body = msg.body().getJsonObject("body", new JsonObject());
    ruleSettings
        .book()
        .compose(
            current -> {
              RuleBook next = current.apply(rule, body);
              RuleBook.Setting after = next.get(rule);
              return ruleSettings
                  .put(after, msg.body().getString("by"))
                  .map(
                      v -> {
                        rules = new SharingRules(next.detection(), node.geo().enabled());
                        scheduleSweep();
                        bus.publish(Addresses.RULES_CHANGED, new JsonObject().put("rule", rule));
                        return new JsonObject()
                            .put("before", current.get(rule).toJson())
                            .put("after", after.toJson());
                      });
            })
        .onComplete(
            ar ->
                msg.reply(
                    ar.succeeded()
                        ? CommandReply.body(200, ar.result())
                        : CommandReply.problem(
                            ar.cause() instanceof Problem p
                                ? p
                                : DatabaseErrors.toProblem(ar.cause()))));
  }

  /**
   * {@code detect.rejudge {"alert_id"}}: the alert's rule judged again on the user's current
   * sessions (a rule action's sustain window ended). Replies {@code {"holds", "user_id",
   * "session_ids"}} ({@code session_ids}: the sessions of the finding now), or a 404 problem.
   */
  private void rejudge(Message<JsonObject> msg) {
    UUID alertId = UUID.fromString(msg.body().getString("alert_id"));
    alerts
        .find(alertId)
        .compose(
            found -> {
              JsonObject alert = found.orElseThrow(() -> Problem.notFound("No alert " + alertId));
              UUID user = UUID.fromString(alert.getString("user_id"));
              String type = alert.getString("alert_type");
              Instant now = Instant.now();
              SharingRules current = rules;
              Future<ActivityRepository.UserActivity> loaded =
                  activity.load(
                      user,
                      now,
                      true,
                      "device_spike".equals(type) ? SharingRules.DEVICE_WINDOW : null);
              // judged as live judging does: the user's exemptions, thresholds and trusted devices
              // apply, and the trust score goes with the verdict (a rule action's
              // only_if_trust_below)
              Future<UserControls> controls = controlsOf(user);
              Future<Map<UUID, Integer>> trust = controlsStore.trust(List.of(user));
              return Future.all(loaded, controls, trust)
                  .map(
                      all -> {
                        ActivityRepository.UserActivity a = loaded.result();
                        Optional<Finding> f =
                            current.judge(a, now, controls.result()).stream()
                                .filter(x -> x.alertType().equals(type))
                                .findFirst();
                        JsonArray ids = new JsonArray();
                        f.ifPresent(
                            x ->
                                x.sessionIds().stream()
                                    .sorted()
                                    .forEach(id -> ids.add(id.toString())));
                        JsonArray active = new JsonArray();
                        a.sessions().stream()
                            .filter(io.tracearr.analytics.detect.rules.SessionView::active)
                            .sorted(
                                java.util.Comparator.comparing(
                                    io.tracearr.analytics.detect.rules.SessionView::startedAt))
                            .forEach(sv -> active.add(sv.id().toString()));
                        return new JsonObject()
                            .put("holds", f.isPresent())
                            .put("user_id", user.toString())
                            .put("alert_type", type)
                            .put("session_ids", ids)
                            .put("active_session_ids", active)
                            .put("trust_score", trust.result().get(user));
                      });
            })
        .onComplete(
            ar ->
                msg.reply(
                    ar.succeeded()
                        ? CommandReply.body(200, ar.result())
                        : CommandReply.problem(
                            ar.cause() instanceof Problem p
                                ? p
                                : DatabaseErrors.toProblem(ar.cause()))));
  }

  /** Idempotent: a repeated dismissal answers the alert as it is and announces nothing. */
  private void dismiss(Message<JsonObject> msg) {
    JsonObject cmd = msg.body();
    UUID id = UUID.fromString(cmd.getString("id"));
    alerts
        .dismiss(id, cmd.getString("by"), cmd.getString("reason"))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              AlertRepository.Dismissal d = ar.result().orElse(null);
              if (d == null) {
                msg.reply(CommandReply.problem(Problem.notFound("No alert " + id)));
                return;
              }
              if (d.changed()) bus.publish(Addresses.ALERT_DISMISSED, d.alert());
              msg.reply(CommandReply.body(200, d.alert()));
            });
  }

  // ---- per-user controls and trust (issue 15)
  // -----------------------------------------------------------------------

  /**
   * The user's controls, read for every judgement (in parallel with the activity it judges, so it
   * adds no wait). Not cached: a node's copy could judge a start with controls another node had
   * already changed (and answered 200 for) before the change's event arrived; one indexed read per
   * judgement is the price of "a change applies to the next start on every node".
   */
  private Future<UserControls> controlsOf(UUID user) {
    return controlsStore.controls(user);
  }

  private static UUID userOf(Message<JsonObject> msg) {
    try {
      return UUID.fromString(msg.body().getString("user_id"));
    } catch (RuntimeException e) {
      msg.reply(CommandReply.problem(Problem.validation("id", "must be a UUID")));
      return null;
    }
  }

  private void putRules(Message<JsonObject> msg) {
    UUID user = userOf(msg);
    if (user == null) return;
    UserRulesInput.Rules parsed;
    try {
      parsed = UserRulesInput.parse(msg.body().getJsonObject("body"));
    } catch (Problem p) {
      msg.reply(CommandReply.problem(p));
      return;
    } catch (ClassCastException e) {
      msg.reply(CommandReply.problem(Problem.validation("body", "must be a JSON object")));
      return;
    }
    controlsStore
        .putRules(user, parsed, msg.body().getString("by"))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              JsonObject r = ar.result().orElse(null);
              if (r == null) {
                msg.reply(CommandReply.problem(Problem.notFound("No user " + user)));
                return;
              }
              msg.reply(
                  CommandReply.body(200, r.getJsonObject("rules"))
                      .put("before", r.getJsonObject("before")));
            });
  }

  private void trustDevice(Message<JsonObject> msg) {
    UUID user = userOf(msg);
    if (user == null) return;
    JsonObject body = msg.body().getJsonObject("body");
    String deviceKey;
    String label;
    try {
      deviceKey = text(body, "device_key", MAX_DEVICE_KEY_LENGTH, true);
      label = text(body, "label", MAX_LABEL_LENGTH, false);
      for (String k : body.fieldNames())
        if (!k.equals("device_key") && !k.equals("label"))
          throw Problem.validation(k, "is not a field of a trusted device (device_key, label)");
    } catch (Problem p) {
      msg.reply(CommandReply.problem(p));
      return;
    }
    controlsStore
        .trustDevice(user, deviceKey, label, msg.body().getString("by"))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              JsonObject r = ar.result().orElse(null);
              if (r == null) {
                msg.reply(CommandReply.problem(Problem.notFound("No user " + user)));
                return;
              }
              boolean inserted = r.getBoolean("inserted");
              msg.reply(
                  CommandReply.body(inserted ? 201 : 200, r.getJsonObject("device"))
                      .put("before", inserted ? null : r.getJsonObject("device")));
            });
  }

  private void untrustDevice(Message<JsonObject> msg) {
    UUID user = userOf(msg);
    if (user == null) return;
    String deviceKey = msg.body().getString("device_key");
    controlsStore
        .untrustDevice(user, deviceKey)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              JsonObject removed = ar.result().orElse(null);
              if (removed == null) {
                msg.reply(
                    CommandReply.problem(
                        Problem.notFound(
                            "No trusted device '" + deviceKey + "' for user " + user)));
                return;
              }
              msg.reply(new JsonObject().put("status", 204).put("before", removed));
            });
  }

  private static String text(JsonObject body, String field, int max, boolean required) {
    Object v = body == null ? null : body.getValue(field);
    if (v == null) {
      if (required) throw Problem.validation(field, "is required");
      return null;
    }
    if (!(v instanceof String s)) throw Problem.validation(field, "must be a string");
    if (required && s.isBlank()) throw Problem.validation(field, "must not be blank");
    if (s.length() > max) throw Problem.validation(field, "must be at most " + max + " characters");
    String refusal = StoredText.refusal(s);
    if (refusal != null) throw Problem.validation(field, refusal);
    return s.isBlank() ? null : s;
  }

  private void recoverOnDemand(Message<JsonObject> msg) {
    LocalDate through;
    try {
      String t = msg.body() == null ? null : msg.body().getString("through");
      through = t == null ? LocalDate.now(ZoneOffset.UTC).minusDays(1) : LocalDate.parse(t);
    } catch (RuntimeException e) {
      msg.fail(400, "through must be a date: " + e.getMessage());
      return;
    }
    recoverTrust(through)
        .onComplete(
            ar -> {
              if (ar.succeeded()) msg.reply(new JsonObject().put("users_recovered", ar.result()));
              else msg.fail(503, ar.cause().toString());
            });
  }

  /** Idempotent per day (see UserControlsStore.RECOVER), so the daily job may run it again. */
  private Future<Integer> recoverTrust(LocalDate through) {
    return controlsStore
        .recover(through, node.config().trust().recoveryPerDay())
        .onSuccess(
            n -> {
              if (n > 0) log.info("trust recovered for {} user(s) through {}", n, through);
            });
  }

  private Future<Long> expireAlerts() {
    Instant cutoff =
        Instant.now().minus(Duration.ofDays(node.config().analytics().retentionDays()));
    return retention
        .run(cutoff)
        .onSuccess(
            n -> {
              if (n > 0) log.info("alert retention removed {} dismissed alert(s)", n);
            });
  }

  // ---- queries and gauges
  // ------------------------------------------------------------------------------------

  private void refreshOpenCount() {
    alerts
        .countOpen()
        .onSuccess(node.metrics().openAlerts::set)
        .onFailure(err -> log.debug("counting open alerts failed: {}", err.toString()));
  }
}
