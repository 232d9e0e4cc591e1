package io.tracearr.analytics.gateway.http;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes JSON and problem+json responses. Every problem carries {@code instance: urn:request:<id>}
 * (the {@code X-Request-Id} of the response), and is logged with that id: 4xx at debug (the
 * client's mistake, and an attacker must not be able to flood the log), 5xx at warn.
 */
public final class HttpReplies {

  private static final Logger log = LoggerFactory.getLogger(HttpReplies.class);

  private HttpReplies() {}

  public static void logProblem(String id, String method, String path, int status, String detail) {
    if (status >= 500) log.warn("request {}: {} {} -> {} {}", id, method, path, status, detail);
    else if (log.isDebugEnabled())
      log.debug("request {}: {} {} -> {} {}", id, method, path, status, detail);
  }

  private static io.vertx.core.buffer.Buffer withInstance(
      RoutingContext rc, JsonObject problem, int status) {
    String id = RequestIds.requestId(rc);
    logProblem(
        id, rc.request().method().name(), rc.request().path(), status, problem.getString("detail"));
    return problem.copy().put("instance", "urn:request:" + id).toBuffer();
  }

  public static void json(RoutingContext rc, int status, Object body) {
    if (rc.response().ended()) return;
    rc.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            body instanceof JsonObject j
                ? j.toBuffer()
                : io.vertx.core.json.Json.encodeToBuffer(body));
  }

  public static void noContent(RoutingContext rc) {
    if (!rc.response().ended()) rc.response().setStatusCode(204).end();
  }

  public static void problem(RoutingContext rc, Problem p) {
    if (rc.response().ended() || rc.response().headWritten()) return;
    var resp =
        rc.response()
            .setStatusCode(p.status())
            .putHeader("Content-Type", "application/problem+json");
    if (p.status() == 401)
      resp.putHeader("WWW-Authenticate", "Bearer realm=\"tracearr-analytics\"");
    if (p.status() == 503) resp.putHeader("Retry-After", "5");
    resp.end(withInstance(rc, p.toJson(), p.status()));
  }

  /**
   * The reply of a command ({@code bus/CommandReply}): the status it names, its session or body as
   * the response body (none for 204), or its problem.
   */
  public static void commandReply(RoutingContext rc, JsonObject reply) {
    int status = reply.getInteger("status");
    JsonObject problem = reply.getJsonObject("problem");
    if (problem != null) {
      var resp =
          rc.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json");
      if (status == 503) resp.putHeader("Retry-After", "5");
      resp.end(withInstance(rc, problem, status));
    } else if (status == 204) {
      noContent(rc);
    } else {
      JsonObject body = reply.getJsonObject("body");
      json(rc, status, body != null ? body : reply.getJsonObject("session"));
    }
  }
}
