package io.tracearr.analytics.notify;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.cluster.PeriodicJobs;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigException;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications, on every node: the one writer of {@code notification_channels} and {@code
 * notification_deliveries}.
 *
 * <p><b>Intake.</b> Each event this node publishes (alerts, device.new, sessions, media servers)
 * becomes one outbox row per channel that wants it, keyed by (channel, event key) with {@code ON
 * CONFLICT DO NOTHING}, so a second writer of the same event changes nothing. The bus is not
 * durable: a node that dies between the alert's commit and the outbox insert would lose the event,
 * so a catch-up sweep (once per {@code sweep_seconds} cluster-wide) re-reads the alerts changed
 * since its watermark and writes whatever deliveries are missing. The alert row is the durable
 * source; the bus only makes delivery fast.
 *
 * <p><b>Delivery.</b> Every node claims due rows ({@code FOR UPDATE SKIP LOCKED}, a claim that
 * expires), so one delivery is attempted by one node at a time and a node killed mid-attempt leaves
 * a claim that another node (or this one after a restart) takes over: at-least-once, with the same
 * delivery id on every attempt. At most {@code max_in_flight} deliveries are in flight per node, on
 * this verticle's own event loop, so a receiver that hangs delays only its own deliveries, never
 * detection or ingest.
 */
public final class NotifierVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(NotifierVerticle.class);

  /** longer than one attempt (10 s) plus the longest rate-limit wait held in memory */
  private static final Duration MAX_LOCAL_WAIT = Duration.ofSeconds(20);

  private static final long POLL_MS = 500;
  private static final long PENDING_GAUGE_MS = 5_000;
  private static final long CHANNEL_REFRESH_MS = 30_000;

  /** alerts written by transactions that began before the last sweep but committed after it */
  private static final Duration SWEEP_MARGIN = Duration.ofMinutes(1);

  private static final int SWEEP_LIMIT = 500;

  private final NodeContext node;
  private final AppConfig.Notifications cfg;
  private final RetryPolicy policy;
  private final Map<UUID, ChannelRateLimit> limits = new HashMap<>();
  private NotificationRepository repo;
  private AlertRepository alerts;
  private DeliverySender sender;
  private EventBus bus;
  private volatile List<ChannelSpec> channels = List.of();
  private int inFlight;
  private boolean polling;
  private boolean pollAgain;

  public NotifierVerticle(NodeContext node) {
    this.node = node;
    this.cfg = node.config().notifications();
    this.policy = RetryPolicy.withMaxAttempts(cfg.maxAttempts());
  }

  /**
   * The channels of {@code notifications.channels}, validated: each gets a stable id from its name,
   * so every node and every boot upserts the same row. Throws naming {@code
   * notifications.channels[i].<field>}.
   */
  public static List<ChannelSpec> configChannels(AppConfig.Notifications cfg) {
    List<ChannelSpec> out = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < cfg.channels().size(); i++) {
      JsonObject entry = cfg.channels().get(i).copy();
      String name = entry.getValue("name") instanceof String s ? s : "";
      entry.put("id", configChannelId(name).toString());
      Validated<ChannelSpec> spec = ChannelSpec.restore(entry);
      if (!spec.isValid()) {
        Problem.FieldError first = spec.problem().errors().get(0);
        throw new ConfigException(
            "invalid configuration: notifications.channels["
                + i
                + "]."
                + first.field()
                + " "
                + first.message());
      }
      if (!names.add(name))
        throw new ConfigException(
            "invalid configuration: notifications.channels["
                + i
                + "].name '"
                + name
                + "' is used twice");
      out.add(spec.value());
    }
    return out;
  }

  static UUID configChannelId(String name) {
    return UUID.nameUUIDFromBytes(
        ("notifications.channels:" + name).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Future<?> start() {
    repo = new NotificationRepository(node.pool());
    alerts = new AlertRepository(node.pool());
    sender = new DeliverySender(vertx);
    bus = vertx.eventBus();
    List<ChannelSpec> fromConfig = configChannels(cfg);
    Future<Void> commands =
        Future.all(
                List.of(
                    bus.<JsonObject>localConsumer(Addresses.NOTIFY_CHANNELS_CREATE, this::create)
                        .completion(),
                    bus.<JsonObject>localConsumer(Addresses.NOTIFY_CHANNELS_UPDATE, this::update)
                        .completion(),
                    bus.<JsonObject>localConsumer(Addresses.NOTIFY_CHANNELS_DELETE, this::delete)
                        .completion(),
                    bus.<JsonObject>localConsumer(Addresses.NOTIFY_CHANNELS_TEST, this::test)
                        .completion(),
                    bus.<JsonObject>localConsumer(Addresses.NOTIFY_DELIVERIES_RETRY, this::retry)
                        .completion(),
                    bus.<JsonObject>consumer(
                            Addresses.NOTIFY_CHANNELS_CHANGED, msg -> reloadChannels())
                        .completion()))
            .mapEmpty();
    return upsertConfigChannels(fromConfig)
        .compose(v -> reloadChannels())
        .compose(v -> commands)
        .compose(
            v -> {
              if (!cfg.enabled()) {
                log.info(
                    "notifications are off (notifications.enabled): channels can be managed, nothing is sent");
                return Future.succeededFuture();
              }
              vertx.setPeriodic(POLL_MS, id -> poll());
              vertx.setPeriodic(PENDING_GAUGE_MS, id -> countPending());
              vertx.setPeriodic(CHANNEL_REFRESH_MS, id -> reloadChannels());
              new PeriodicJobs(vertx, node)
                  .schedule("notify-sweep", cfg.sweepSeconds() * 1000L, this::sweep);
              return intake();
            });
  }

  @Override
  public Future<?> stop() {
    return sender == null ? Future.succeededFuture() : sender.close();
  }

  // ---- channels
  // ------------------------------------------------------------------------------------------------

  private Future<Void> upsertConfigChannels(List<ChannelSpec> specs) {
    Future<Void> chain = Future.succeededFuture();
    for (ChannelSpec spec : specs) {
      chain =
          chain.compose(
              v ->
                  repo.upsertConfig(spec)
                      .recover(
                          err -> {
                            if (!isUniqueViolation(err)) return Future.failedFuture(err);
                            // a node booting beside this one inserted it first (retry takes the
                            // update path), or an API channel has the name
                            return repo.upsertConfig(spec)
                                .recover(
                                    again -> {
                                      log.warn(
                                          "config channel '{}' not stored: {}",
                                          spec.name(),
                                          isUniqueViolation(again)
                                              ? "a channel of that name was created through the API"
                                              : again.toString());
                                      return Future.succeededFuture();
                                    });
                          }));
    }
    return chain.compose(v -> repo.deleteStaleConfig(specs.stream().map(ChannelSpec::id).toList()));
  }

  private Future<Void> reloadChannels() {
    return repo.channels()
        .map(
            stored -> {
              channels = stored.stream().map(NotificationRepository.StoredChannel::spec).toList();
              return (Void) null;
            })
        .onFailure(err -> log.warn("loading notification channels failed: {}", err.toString()));
  }

  private void changed(UUID channelId) {
    limits.remove(channelId);
    sender.forget(channelId);
    reloadChannels();
    bus.publish(
        Addresses.NOTIFY_CHANNELS_CHANGED, new JsonObject().put("id", channelId.toString()));
  }

  private void create(Message<JsonObject> msg) {
    Validated<ChannelSpec> spec =
        ChannelSpec.parse(msg.body().getJsonObject("body", new JsonObject()));
    if (!spec.isValid()) {
      msg.reply(CommandReply.problem(spec.problem()));
      return;
    }
    repo.insert(spec.value())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(writeProblem(ar.cause(), spec.value().name())));
                return;
              }
              changed(spec.value().id());
              msg.reply(CommandReply.body(201, ar.result().toJson()));
            });
  }

  private void update(Message<JsonObject> msg) {
    UUID id = UUID.fromString(msg.body().getString("id"));
    JsonObject patch = msg.body().getJsonObject("body", new JsonObject());
    editable(id)
        .compose(
            stored -> {
              Validated<ChannelSpec> merged = stored.spec().merge(patch);
              if (!merged.isValid()) return Future.failedFuture(merged.problem());
              return repo.update(merged.value())
                  .recover(err -> Future.failedFuture(writeProblem(err, merged.value().name())))
                  .map(updated -> updated.orElseThrow(() -> Problem.notFound("No channel " + id)));
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              changed(id);
              msg.reply(CommandReply.body(200, ar.result().toJson()));
            });
  }

  private void delete(Message<JsonObject> msg) {
    UUID id = UUID.fromString(msg.body().getString("id"));
    editable(id)
        .compose(stored -> repo.delete(id))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              changed(id);
              msg.reply(new JsonObject().put("status", 204));
            });
  }

  /**
   * Config channels belong to conf/application.yaml: an API change would be undone at the next
   * boot.
   */
  private Future<NotificationRepository.StoredChannel> editable(UUID id) {
    return repo.channel(id)
        .compose(
            found -> {
              if (found.isEmpty()) return Future.failedFuture(Problem.notFound("No channel " + id));
              if ("config".equals(found.get().source())) {
                return Future.failedFuture(
                    Problem.conflict(
                        "Channel '"
                            + found.get().spec().name()
                            + "' is defined in the configuration (notifications.channels); change it there"));
              }
              return Future.succeededFuture(found.get());
            });
  }

  /**
   * Sends a test message now, outside the outbox (nothing to retry): the reply is what the receiver
   * said.
   */
  private void test(Message<JsonObject> msg) {
    UUID id = UUID.fromString(msg.body().getString("id"));
    repo.channel(id)
        .compose(
            found -> {
              if (found.isEmpty()) return Future.failedFuture(Problem.notFound("No channel " + id));
              ChannelSpec spec = found.get().spec();
              String deliveryId = UUID.randomUUID().toString();
              Instant now = Instant.now();
              Outgoing outgoing =
                  Renderers.render(
                      spec,
                      NotificationEvent.test(spec.name(), now),
                      new RenderContext(deliveryId, cfg.dashboardUrl(), now));
              return sender
                  .send(spec, outgoing, deliveryId)
                  .map(
                      sent -> {
                        boolean ok =
                            RetryPolicy.classify(sent.result()) == RetryPolicy.Outcome.DELIVERED;
                        node.metrics()
                            .notificationSent(spec.type().wireName(), ok ? "delivered" : "failed");
                        return new JsonObject()
                            .put("delivered", ok)
                            .put("delivery_id", deliveryId)
                            .put("status", sent.result().status())
                            .put("error", sent.result().failure())
                            .put("body_excerpt", sent.bodyExcerpt());
                      });
            })
        .onComplete(
            ar -> {
              if (ar.succeeded()) msg.reply(CommandReply.body(200, ar.result()));
              else msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
            });
  }

  private void retry(Message<JsonObject> msg) {
    UUID id = UUID.fromString(msg.body().getString("id"));
    repo.retry(id)
        .compose(
            retried -> {
              if (retried.isPresent()) return Future.succeededFuture(retried.get());
              return repo.delivery(id)
                  .compose(
                      existing ->
                          Future.failedFuture(
                              existing.isEmpty()
                                  ? Problem.notFound("No delivery " + id)
                                  : Problem.conflict(
                                      "Only a failed delivery can be re-sent; this one is "
                                          + existing.get().getString("status"))));
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
                return;
              }
              msg.reply(CommandReply.body(200, ar.result()));
              poll();
            });
  }

  private static Problem writeProblem(Throwable err, String name) {
    if (isUniqueViolation(err))
      return Problem.conflict("A channel named '" + name + "' already exists");
    return DatabaseErrors.toProblem(err);
  }

  private static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  // ---- intake
  // ----------------------------------------------------------------------------------------------------

  /**
   * Local consumers: each event is taken in by the node that published it (no cross-node copy per
   * event); the outbox's unique key would make a second node's write a no-op anyway, and the sweep
   * covers a node that died.
   */
  private Future<Void> intake() {
    return Future.all(
            List.of(
                alertConsumer(Addresses.ALERT_RAISED, EventType.ALERT_RAISED),
                alertConsumer(Addresses.ALERT_UPDATED, EventType.ALERT_UPDATED),
                alertConsumer(Addresses.ALERT_DISMISSED, EventType.ALERT_DISMISSED),
                sessionConsumer(Addresses.SESSION_STARTED, EventType.SESSION_STARTED, s -> null),
                sessionConsumer(
                    Addresses.SESSION_TERMINATED,
                    EventType.SESSION_TERMINATED,
                    s ->
                        s.getString("terminate_reason") != null
                            ? s.getString("terminate_reason")
                            : s.getString("ended_reason")),
                sessionConsumer(
                    Addresses.DEVICE_NEW,
                    EventType.DEVICE_NEW,
                    s -> "first session on this device"),
                mediaServerConsumer(Addresses.MEDIA_SERVER_DOWN, EventType.MEDIA_SERVER_DOWN),
                mediaServerConsumer(Addresses.MEDIA_SERVER_UP, EventType.MEDIA_SERVER_UP)))
        .mapEmpty();
  }

  private Future<Void> alertConsumer(String address, EventType type) {
    return bus.<JsonObject>localConsumer(
            address,
            msg ->
                enqueueAlert(channels, type, msg.body(), false)
                    .onFailure(
                        err ->
                            log.warn(
                                "{} of alert {}: outbox write failed (the sweep retries): {}",
                                type.wireName(),
                                msg.body().getString("id"),
                                err.toString())))
        .completion();
  }

  private Future<Void> sessionConsumer(
      String address, EventType type, Function<JsonObject, String> reason) {
    return bus.<JsonObject>localConsumer(
            address,
            msg -> {
              JsonObject s = msg.body();
              String at =
                  type == EventType.SESSION_STARTED || type == EventType.DEVICE_NEW
                      ? s.getString("started_at")
                      : s.getString("ended_at");
              Instant occurredAt = at == null ? Instant.now() : Instant.parse(at);
              enqueue(
                      channels,
                      OutboxEntry.sessionKey(type, s),
                      userId(s),
                      name -> NotificationEvent.session(type, s, name, reason.apply(s), occurredAt),
                      false)
                  .onFailure(
                      err ->
                          log.warn(
                              "{} of session {}: outbox write failed: {}",
                              type.wireName(),
                              s.getString("id"),
                              err.toString()));
            })
        .completion();
  }

  private Future<Void> mediaServerConsumer(String address, EventType type) {
    return bus.<JsonObject>localConsumer(
            address,
            msg -> {
              JsonObject server = msg.body();
              String name = server.getString("name", server.getString("id", "media server"));
              String detail = server.getString("detail", server.getString("error"));
              String at = server.getString("changed_at");
              Instant occurredAt = at == null ? Instant.now() : Instant.parse(at);
              enqueue(
                      channels,
                      OutboxEntry.mediaServerKey(type, server),
                      null,
                      n -> NotificationEvent.mediaServer(type, server, name, detail, occurredAt),
                      false)
                  .onFailure(
                      err ->
                          log.warn("{}: outbox write failed: {}", type.wireName(), err.toString()));
            })
        .completion();
  }

  private Future<Integer> enqueueAlert(
      List<ChannelSpec> among, EventType type, JsonObject alert, boolean onlyExisting) {
    Instant occurredAt = OutboxEntry.alertOccurredAt(type, alert);
    return enqueue(
        among,
        OutboxEntry.alertKey(type, alert),
        userId(alert),
        name -> NotificationEvent.alert(type, alert, name, occurredAt),
        onlyExisting);
  }

  /**
   * Writes the event for every channel in {@code among} that wants it; the user's name is looked up
   * only when some channel does. Wakes this node's worker when a row was written, so delivery
   * starts at once.
   */
  private Future<Integer> enqueue(
      List<ChannelSpec> among,
      String key,
      UUID userId,
      Function<String, NotificationEvent> event,
      boolean onlyExisting) {
    NotificationEvent unnamed = event.apply(null);
    List<UUID> wanting = among.stream().filter(c -> c.wants(unnamed)).map(ChannelSpec::id).toList();
    if (wanting.isEmpty()) return Future.succeededFuture(0);
    Future<Optional<String>> name =
        userId == null
            ? Future.succeededFuture(Optional.empty())
            : repo.userName(userId).otherwise(Optional.empty());
    return name.compose(
            n -> {
              NotificationEvent e = n.isPresent() ? event.apply(n.get()) : unnamed;
              return repo.insertDeliveries(
                  wanting,
                  e.type(),
                  key,
                  new OutboxEntry(key, e).payload(),
                  e.occurredAt(),
                  onlyExisting);
            })
        .onSuccess(
            written -> {
              if (written > 0) poll();
            });
  }

  private static UUID userId(JsonObject data) {
    try {
      return data.getString("user_id") == null ? null : UUID.fromString(data.getString("user_id"));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The durable path: alerts changed since the watermark, each fact (raised, updated, dismissed)
   * written for every channel that wants it and existed then. Rows the bus path wrote already are
   * conflicts, i.e. no-ops.
   */
  Future<?> sweep() {
    return repo.watermark()
        .compose(
            w -> {
              Instant since = w[0].minus(SWEEP_MARGIN);
              Instant dbNow = w[1];
              return Future.all(alerts.changedSince(since, SWEEP_LIMIT), repo.channels())
                  .compose(
                      both -> {
                        List<JsonObject> changed = both.resultAt(0);
                        List<ChannelSpec> current =
                            both.<List<NotificationRepository.StoredChannel>>resultAt(1).stream()
                                .map(NotificationRepository.StoredChannel::spec)
                                .toList();
                        Future<Integer> chain = Future.succeededFuture(0);
                        for (JsonObject alert : changed) {
                          for (EventType type : sweptFacts(alert, since)) {
                            chain = chain.compose(v -> enqueueAlert(current, type, alert, true));
                          }
                        }
                        // a full page: continue from its last change next time rather than skip
                        // what lies beyond it
                        Instant next =
                            changed.size() == SWEEP_LIMIT
                                ? Instant.parse(
                                    changed.get(changed.size() - 1).getString("updated_at"))
                                : dbNow;
                        return chain.compose(v -> repo.setWatermark(next));
                      });
            });
  }

  private static List<EventType> sweptFacts(JsonObject alert, Instant since) {
    List<EventType> facts = new ArrayList<>();
    if (Instant.parse(alert.getString("created_at")).isAfter(since))
      facts.add(EventType.ALERT_RAISED);
    boolean dismissed = "dismissed".equals(alert.getString("status"));
    if (dismissed) facts.add(EventType.ALERT_DISMISSED);
    else if (!alert.getString("updated_at").equals(alert.getString("created_at")))
      facts.add(EventType.ALERT_UPDATED);
    return facts;
  }

  // ---- delivery
  // --------------------------------------------------------------------------------------------------

  private void poll() {
    if (!cfg.enabled()) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    int room = cfg.maxInFlight() - inFlight;
    if (room <= 0) return;
    polling = true;
    pollAgain = false;
    repo.claim(node.nodeId(), cfg.claimSeconds(), room, cfg.maxInFlightPerChannel())
        .onComplete(
            ar -> {
              polling = false;
              if (ar.failed()) {
                log.debug("claiming deliveries failed: {}", ar.cause().toString());
                return;
              }
              for (NotificationRepository.Claimed c : ar.result()) attempt(c);
              // a full claim means more may be due; a wake-up during the claim may have written new
              // rows
              if (ar.result().size() == room || pollAgain) context.runOnContext(v -> poll());
            });
  }

  private void attempt(NotificationRepository.Claimed c) {
    inFlight++;
    attemptNow(c)
        .onComplete(
            ar -> {
              inFlight--;
              if (ar.failed())
                log.warn(
                    "delivery {} could not be recorded (its claim expires and it is retried): {}",
                    c.id(),
                    ar.cause().toString());
              poll();
            });
  }

  private Future<Void> attemptNow(NotificationRepository.Claimed c) {
    Validated<ChannelSpec> restored =
        ChannelSpec.restore(c.spec().copy().put("id", c.channelId().toString()));
    Optional<EventType> type = EventType.fromWireName(c.event());
    if (!restored.isValid() || type.isEmpty()) {
      return repo.finish(
          c.id(), node.nodeId(), "failed", null, null, "channel or event no longer valid");
    }
    ChannelSpec spec = restored.value();
    if (!spec.enabled())
      return repo.finish(c.id(), node.nodeId(), "failed", null, null, "channel disabled");
    NotificationEvent event = OutboxEntry.fromPayload(type.get(), c.occurredAt(), c.payload());
    Instant now = Instant.now();
    if (spec.quietHours() != null) {
      Optional<Instant> hold = spec.quietHours().holdUntil(now, event.severity());
      if (hold.isPresent())
        return repo.release(
            c.id(), node.nodeId(), hold.get(), "held for quiet hours until " + hold.get());
    }
    ChannelRateLimit limit =
        limits.computeIfAbsent(spec.id(), id -> ChannelRateLimit.forType(spec.type()));
    Instant sendAt = limit.reserve(now);
    Duration wait = Duration.between(now, sendAt);
    if (wait.compareTo(MAX_LOCAL_WAIT) > 0)
      return repo.release(c.id(), node.nodeId(), sendAt, null);
    if (wait.isZero() || wait.isNegative()) return send(c, spec, event);
    return vertx.timer(Math.max(1, wait.toMillis())).compose(v -> send(c, spec, event));
  }

  private Future<Void> send(
      NotificationRepository.Claimed c, ChannelSpec spec, NotificationEvent event) {
    Instant now = Instant.now();
    Outgoing outgoing =
        Renderers.render(
            spec, event, new RenderContext(c.id().toString(), cfg.dashboardUrl(), now));
    return sender.send(spec, outgoing, c.id().toString()).compose(sent -> record(c, spec, sent));
  }

  private Future<Void> record(
      NotificationRepository.Claimed c, ChannelSpec spec, DeliverySender.Sent sent) {
    Instant now = Instant.now();
    AttemptResult result = sent.result();
    RetryPolicy.Decision decision = policy.decide(c.attempts() + 1, result, now);
    ChannelRateLimit limit = limits.get(spec.id());
    if (limit != null) {
      limit.observe(sent.rateLimitRemaining(), sent.rateLimitResetAfter(), now);
      if (result.status() != null && result.status() == 429 && decision.retryAt() != null)
        limit.pauseUntil(decision.retryAt());
    }
    node.metrics()
        .notificationSent(spec.type().wireName(), decision.kind().name().toLowerCase(Locale.ROOT));
    return switch (decision.kind()) {
      case DELIVERED -> {
        node.metrics()
            .notificationLatency
            .record(max(Duration.ZERO, Duration.between(c.occurredAt(), now)));
        yield repo.finish(c.id(), node.nodeId(), "delivered", null, result.status(), null);
      }
      case RETRY ->
          repo.finish(
              c.id(),
              node.nodeId(),
              "pending",
              decision.retryAt(),
              result.status(),
              decision.reason());
      case FAILED -> {
        // the channel's name and the reason only: URLs and headers carry tokens
        log.warn(
            "notification {} to channel '{}' failed: {}", c.id(), spec.name(), decision.reason());
        yield repo.finish(
            c.id(), node.nodeId(), "failed", null, result.status(), decision.reason());
      }
    };
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private void countPending() {
    repo.countPending()
        .onSuccess(node.metrics().notificationsPending::set)
        .onFailure(err -> log.debug("counting pending notifications failed: {}", err.toString()));
  }
}
