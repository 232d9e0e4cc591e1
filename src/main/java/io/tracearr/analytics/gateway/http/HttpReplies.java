package io.tracearr.analytics.gateway.http;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON and problem+json responses. */
public final class HttpReplies {

  private HttpReplies() {}

  public static void json(RoutingContext rc, int status, Object body) {
    if (rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject j ? j.toBuffer() : io.vertx.core.json.Json.encodeToBuffer(body));
  }

  public static void noContent(RoutingContext rc) {
    if (!rc.response().ended()) rc.response().setStatusCode(204).end();
  }

  public static void problem(RoutingContext rc, Problem p) {
    if (rc.response().ended() || rc.response().headWritten()) return;
    var resp = rc.response().setStatusCode(p.status()).putHeader("Content-Type", "application/problem+json");
    if (p.status() == 401) resp.putHeader("WWW-Authenticate", "Bearer realm=\"tracearr-analytics\"");
    if (p.status() == 503) resp.putHeader("Retry-After", "5");
    resp.end(p.toJson().toBuffer());
  }

  /**
   * The reply of a command ({@code bus/CommandReply}): the status it names, its session or body as the
   * response body (none for 204), or its problem.
   */
  public static void commandReply(RoutingContext rc, JsonObject reply) {
    int status = reply.getInteger("status");
    JsonObject problem = reply.getJsonObject("problem");
    if (problem != null) {
      var resp = rc.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json");
      if (status == 503) resp.putHeader("Retry-After", "5");
      resp.end(problem.toBuffer());
    } else if (status == 204) {
      noContent(rc);
    } else {
      JsonObject body = reply.getJsonObject("body");
      json(rc, status, body != null ? body : reply.getJsonObject("session"));
    }
  }
}
