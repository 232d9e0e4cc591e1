package io.tracearr.analytics.gateway;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The audit log's door (issue 15): every successful admin change is recorded by its operationId,
 * and every 403 refusal on an admin route, with the actor (the key's name or the JWT sub), the
 * request path as target, and the before/after a handler put on the context ({@link #BEFORE},
 * {@link #AFTER}). One command to the enforcement concern, the one writer of audit_log. Generic on
 * purpose: a new admin route is audited without code of its own.
 */
final class AuditTrail {

  static final String BEFORE = "audit.before";
  static final String AFTER = "audit.after";

  /** the ingest door's session writes are not admin actions */
  private static final Set<String> NOT_ADMIN =
      Set.of("startSession", "heartbeatSession", "endSession");

  /** reads that only an admin may make: their 403 is audited too */
  private static final Set<String> ADMIN_READS = Set.of("listRules", "getRule", "listAudit");

  private AuditTrail() {}

  static boolean audits(String operationId, String method) {
    if (NOT_ADMIN.contains(operationId)) return false;
    return !"GET".equals(method) || ADMIN_READS.contains(operationId);
  }

  /** {@code h}, with its outcome recorded once the response has gone. */
  static Handler<RoutingContext> wrap(
      Vertx vertx, String operationId, String method, Handler<RoutingContext> h) {
    if (!audits(operationId, method)) return h;
    boolean read = "GET".equals(method);
    return rc -> {
      rc.addEndHandler(
          ar -> {
            int status = rc.response().getStatusCode();
            boolean refused = status == 403;
            if (!refused && (read || status >= 400)) return;
            record(vertx, rc, operationId, refused);
          });
      h.handle(rc);
    };
  }

  /**
   * Records {@code rc}'s 403 refusal of {@code operationId} once the response has gone, for a check
   * that refuses before the operation's own (audited) route is reached: the upload's, made before a
   * byte of the body is read.
   */
  static void recordRefusal(RoutingContext rc, String operationId) {
    rc.addEndHandler(
        ar -> {
          if (rc.response().getStatusCode() == 403) record(rc.vertx(), rc, operationId, true);
        });
  }

  private static void record(Vertx vertx, RoutingContext rc, String operationId, boolean refused) {
    Principal who = BearerAuth.principal(rc);
    JsonObject entry =
        new JsonObject()
            .put("actor", who == null ? "anonymous" : who.name())
            .put("action", operationId)
            .put("target", rc.request().path())
            .put("result", refused ? "forbidden" : "ok")
            .put("status", rc.response().getStatusCode());
    if (!refused) {
      entry.put("before", rc.get(BEFORE));
      entry.put("after", rc.get(AFTER));
    }
    vertx.eventBus().send(Addresses.AUDIT_RECORD, entry);
  }
}
