package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.RuleBook;
import io.tracearr.analytics.detect.RuleSettingsStore;
import io.tracearr.analytics.detect.UserControlsStore;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /analytics/users/{id}/rules} and {@code /trusted-devices} (issue 15): admin only, reads
 * and writes. Reads go through the detector's query object ({@link UserControlsStore}); writes are
 * commands to this node's detector, their one writer, whose reply also carries the value before the
 * change ({@code before}) for the audit log.
 */
public final class UserControlRoutes {

  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final UserControlsStore store;

  /** the global rules now: the config file's with the changes made through /rules on top */
  private final RuleSettingsStore rules;

  public UserControlRoutes(Vertx vertx, UserControlsStore store, RuleSettingsStore rules) {
    this.vertx = vertx;
    this.store = store;
    this.rules = rules;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "getUserRules", this::getRules,
        "putUserRules", this::putRules,
        "listTrustedDevices", this::listTrusted,
        "trustDevice", this::trust,
        "untrustDevice", this::untrust);
  }

  private void getRules(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    store
        .rules(id)
        .compose(found -> rules.book().map(book -> found.map(r -> withGlobals(id, r, book))))
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else if (ar.result().isEmpty()) rc.fail(Problem.notFound("No user " + id));
              else HttpReplies.json(rc, 200, ar.result().get());
            });
  }

  private void putRules(RoutingContext rc) {
    var who = BearerAuth.principal(rc);
    who.requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    JsonObject cmd =
        new JsonObject()
            .put("user_id", id.toString())
            .put("body", RequestParams.requiredBody(rc))
            .put("by", who.name());
    // the global rules are read first: a failed read changes nothing
    rules
        .book()
        .onComplete(
            book -> {
              if (book.failed()) {
                rc.fail(DatabaseErrors.toProblem(book.cause()));
                return;
              }
              send(
                  rc,
                  Addresses.USERS_RULES_PUT,
                  cmd,
                  reply -> {
                    JsonObject body = reply.getJsonObject("body");
                    if (body != null) reply.put("body", withGlobals(id, body, book.result()));
                    return reply;
                  });
            });
  }

  private void listTrusted(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    store
        .trustedDevices(id)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else if (ar.result().isEmpty()) rc.fail(Problem.notFound("No user " + id));
              else HttpReplies.json(rc, 200, new JsonObject().put("items", ar.result().get()));
            });
  }

  private void trust(RoutingContext rc) {
    var who = BearerAuth.principal(rc);
    who.requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    JsonObject cmd =
        new JsonObject()
            .put("user_id", id.toString())
            .put("body", RequestParams.requiredBody(rc))
            .put("by", who.name());
    send(rc, Addresses.USERS_DEVICES_TRUST, cmd, r -> r);
  }

  private void untrust(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    String deviceKey = rc.pathParam("device_key");
    if (deviceKey == null || deviceKey.isEmpty())
      throw Problem.validation("device_key", "is required");
    JsonObject cmd = new JsonObject().put("user_id", id.toString()).put("device_key", deviceKey);
    send(rc, Addresses.USERS_DEVICES_UNTRUST, cmd, r -> r);
  }

  private void send(
      RoutingContext rc,
      String address,
      JsonObject cmd,
      java.util.function.UnaryOperator<JsonObject> adjust) {
    vertx
        .eventBus()
        .<JsonObject>request(address, cmd, COMMAND)
        .onComplete(
            ar -> {
              if (ar.succeeded()) HttpReplies.commandReply(rc, adjust.apply(ar.result().body()));
              else
                rc.fail(Problem.unavailable("The detector did not answer in time; retry shortly"));
            });
  }

  /**
   * The rules as set, plus the global thresholds they replace (what the dashboard shows): the
   * rules' current ones, as {@code /rules} answers and the detector judges with, not the config
   * file's.
   */
  private static JsonObject withGlobals(UUID id, JsonObject userRules, RuleBook book) {
    AppConfig.SharingDetection detection = book.detection();
    return userRules
        .copy()
        .put("user_id", id.toString())
        .put(
            "global_thresholds",
            new JsonObject()
                .put("concurrent_streams", detection.concurrentStreamsThreshold())
                .put("geo_impossible", detection.geoDistanceThresholdKm())
                .put("impossible_travel", detection.maxTravelSpeedKmh())
                .put("device_spike", detection.deviceSpikeThreshold()));
  }
}
