package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.StoredText;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.RuleBook;
import io.tracearr.analytics.detect.RuleSettingsStore;
import io.tracearr.analytics.enforce.EnforcementStore;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;

/**
 * Issue 15 part A: terminate a session ({@code enforce.terminate} to this node's enforcement
 * verticle), the rules' settings (read through the detector's {@link RuleSettingsStore}, changed by
 * {@code rules.update} to this node's detector, the one writer of rule_settings) and the audit log
 * (read through {@link EnforcementStore}).
 */
public final class EnforceRoutes {

  static final int MAX_REASON_LENGTH = 200;

  /** a media server's stop call may take its full timeout */
  private static final DeliveryOptions TERMINATE = new DeliveryOptions().setSendTimeout(20_000);

  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final RuleSettingsStore rules;
  private final EnforcementStore store;

  public EnforceRoutes(Vertx vertx, RuleSettingsStore rules, EnforcementStore store) {
    this.vertx = vertx;
    this.rules = rules;
    this.store = store;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "terminateSession", this::terminate,
        "listRules", this::listRules,
        "getRule", this::getRule,
        "updateRule", this::updateRule,
        "listAudit", this::listAudit);
  }

  private void terminate(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    JsonObject body = rc.body().isEmpty() ? new JsonObject() : RequestParams.jsonBody(rc);
    String reason = reason(body);
    JsonObject cmd =
        new JsonObject()
            .put("id", id.toString())
            .put("reason", reason)
            .put("trigger", "manual")
            .put("by", who.name());
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.ENFORCE_TERMINATE, cmd, TERMINATE)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(Problem.unavailable("Enforcement did not answer in time; retry shortly"));
                return;
              }
              JsonObject reply = ar.result().body();
              JsonObject result = reply.getJsonObject("body");
              if (result != null) {
                JsonObject session = result.getJsonObject("session");
                rc.put(
                    AuditTrail.BEFORE,
                    session == null ? null : new JsonObject().put("session_id", id.toString()));
                rc.put(
                    AuditTrail.AFTER,
                    new JsonObject()
                        .put("outcome", result.getString("outcome"))
                        .put("reason", reason)
                        .put(
                            "ended_reason",
                            session == null ? null : session.getString("ended_reason")));
              }
              HttpReplies.commandReply(rc, reply);
            });
  }

  static String reason(JsonObject body) {
    for (String k : body.fieldNames())
      if (!"reason".equals(k)) throw Problem.validation(k, "is not a field of a terminate request");
    Object v = body.getValue("reason");
    if (v == null) return null;
    if (!(v instanceof String s)) throw Problem.validation("reason", "must be a string");
    if (s.length() > MAX_REASON_LENGTH)
      throw Problem.validation("reason", "must be at most " + MAX_REASON_LENGTH + " characters");
    String refusal = StoredText.refusal(s);
    if (refusal != null) throw Problem.validation("reason", refusal);
    return s.isBlank() ? null : s.strip();
  }

  private void listRules(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    rules
        .book()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
                return;
              }
              JsonArray items = new JsonArray();
              for (RuleBook.Setting s : ar.result().all()) items.add(s.toJson());
              HttpReplies.json(rc, 200, new JsonObject().put("items", items));
            });
  }

  private void getRule(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    String rule = rc.pathParam("rule");
    rules
        .book()
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else if (!ar.result().knows(rule)) rc.fail(unknownRule(rule));
              else HttpReplies.json(rc, 200, ar.result().get(rule).toJson());
            });
  }

  private void updateRule(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAdmin();
    String rule = rc.pathParam("rule");
    if (!RuleBook.RULES.contains(rule)) throw unknownRule(rule);
    JsonObject body = RequestParams.requiredBody(rc);
    vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.RULES_UPDATE,
            new JsonObject().put("rule", rule).put("body", body).put("by", who.name()),
            COMMAND)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(Problem.unavailable("The detector did not answer in time; retry shortly"));
                return;
              }
              JsonObject reply = ar.result().body();
              JsonObject changed = reply.getJsonObject("body");
              if (changed == null) {
                HttpReplies.commandReply(rc, reply);
                return;
              }
              rc.put(AuditTrail.BEFORE, changed.getJsonObject("before"));
              rc.put(AuditTrail.AFTER, changed.getJsonObject("after"));
              HttpReplies.json(rc, 200, changed.getJsonObject("after"));
            });
  }

  private static Problem unknownRule(String rule) {
    return Problem.notFound(
        "No rule "
            + (rule.length() > 64 ? rule.substring(0, 64) : rule)
            + "; the rules are "
            + String.join(", ", RuleBook.RULES));
  }

  private void listAudit(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    String actor = rc.queryParams().get("actor");
    String action = rc.queryParams().get("action");
    if (actor != null && actor.length() > 200)
      throw Problem.validation("actor", "must be at most 200 characters");
    if (action != null && action.length() > 100)
      throw Problem.validation("action", "must be at most 100 characters");
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 500);
    KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
    store
        .audit(actor, action, cursor, limit + 1)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, Page.of(ar.result(), limit, "at"));
            });
  }
}
