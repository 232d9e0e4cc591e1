package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.notify.NotificationRepository;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /analytics/notifications/**}, admin only (channels hold credentials, the log names users):
 * reads go through the notifier's query object, every change is a command to this node's notifier,
 * the one writer. No response carries a secret: channels are rendered by {@code ChannelSpec.toJson}
 * ({@code <field>_set}).
 */
public final class NotificationRoutes {

  static final Set<String> DELIVERY_STATUSES =
      Set.of("pending", "delivering", "delivered", "failed");
  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(10_000);

  /** a test waits for the receiver (10 s at most) */
  private static final DeliveryOptions TEST = new DeliveryOptions().setSendTimeout(20_000);

  private final Vertx vertx;
  private final NotificationRepository repository;

  public NotificationRoutes(Vertx vertx, NotificationRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listNotificationChannels", this::listChannels,
        "createNotificationChannel",
            rc ->
                command(
                    rc,
                    Addresses.NOTIFY_CHANNELS_CREATE,
                    new JsonObject().put("body", RequestParams.requiredBody(rc)),
                    COMMAND),
        "getNotificationChannel", this::getChannel,
        "updateNotificationChannel",
            rc ->
                command(
                    rc,
                    Addresses.NOTIFY_CHANNELS_UPDATE,
                    new JsonObject()
                        .put("id", RequestParams.pathUuid(rc, "id").toString())
                        .put("body", RequestParams.requiredBody(rc)),
                    COMMAND),
        "deleteNotificationChannel",
            rc ->
                command(
                    rc,
                    Addresses.NOTIFY_CHANNELS_DELETE,
                    new JsonObject().put("id", RequestParams.pathUuid(rc, "id").toString()),
                    COMMAND),
        "testNotificationChannel",
            rc ->
                command(
                    rc,
                    Addresses.NOTIFY_CHANNELS_TEST,
                    new JsonObject().put("id", RequestParams.pathUuid(rc, "id").toString()),
                    TEST),
        "listNotificationDeliveries", this::listDeliveries,
        "retryNotificationDelivery",
            rc ->
                command(
                    rc,
                    Addresses.NOTIFY_DELIVERIES_RETRY,
                    new JsonObject().put("id", RequestParams.pathUuid(rc, "id").toString()),
                    COMMAND));
  }

  private void command(RoutingContext rc, String address, JsonObject cmd, DeliveryOptions options) {
    BearerAuth.principal(rc).requireAdmin();
    vertx
        .eventBus()
        .<JsonObject>request(address, cmd, options)
        .onComplete(
            ar -> {
              if (ar.succeeded()) HttpReplies.commandReply(rc, ar.result().body());
              else
                rc.fail(Problem.unavailable("The notifier did not answer in time; retry shortly"));
            });
  }

  private void listChannels(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    repository
        .channels()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
                return;
              }
              JsonArray items = new JsonArray();
              ar.result().forEach(c -> items.add(c.toJson()));
              HttpReplies.json(rc, 200, new JsonObject().put("items", items));
            });
  }

  private void getChannel(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    repository
        .channel(id)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else if (ar.result().isEmpty()) rc.fail(Problem.notFound("No channel " + id));
              else HttpReplies.json(rc, 200, ar.result().get().toJson());
            });
  }

  private void listDeliveries(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    String status = RequestParams.optionalOneOf(rc, "status", DELIVERY_STATUSES);
    UUID channel = RequestParams.optionalUuid(rc, "channel_id");
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 500);
    KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
    repository
        .deliveries(status, channel, cursor, limit + 1)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, Page.of(ar.result(), limit, "created_at"));
            });
  }
}
