package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestIds;
import io.tracearr.analytics.gateway.live.VertxInternals;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * What every request meets before the router: the checks Vert.x would otherwise answer in plain
 * text (or with a bare 501) or fail on deep inside the router (issue 19 F5, F7): an HTTP version
 * other than 1.0/1.1 is 505, a target with bad percent-encoding is 400, a request the HTTP decoder
 * refused is 400/414/431 — all problem+json.
 */
final class HttpDoor {

  private HttpDoor() {}

  /**
   * The server's connection handler: requests with an HTTP version other than 1.0/1.1 get a 505
   * problem.
   */
  static void guard(io.vertx.core.http.HttpConnection connection) {
    VertxInternals.guardAnswering(connection);
    VertxInternals.guardHttpVersion(
        connection,
        505,
        () -> {
          String id = RequestIds.newId();
          HttpReplies.logProblem(id, "-", "-", 505, "unsupported HTTP version");
          return versionProblem()
              .toJson()
              .put("instance", "urn:request:" + id)
              .toBuffer()
              .getBytes();
        });
  }

  private static Problem versionProblem() {
    return new Problem(
        505,
        "http-version-not-supported",
        "HTTP version not supported",
        "This server speaks HTTP/1.0 and HTTP/1.1",
        null);
  }

  /** True when the request may go on to the router; otherwise it has been answered. */
  static boolean admit(HttpServerRequest req) {
    // a request being answered is not cut by the idle timeout (an upgrade has its own)
    if (!req.headers().contains("Upgrade")) VertxInternals.answering(req);
    if (req.version() == null) {
      refuse(req, versionProblem());
      return false;
    }
    String target = req.uri();
    if (!wellEncoded(target)) {
      int q = target.indexOf('?');
      boolean inPath = !wellEncoded(q < 0 ? target : target.substring(0, q));
      refuse(
          req,
          Problem.validation(
              inPath ? "path" : badlyEncoded(target.substring(q + 1)),
              "has bad percent-encoding (% must be followed by two hex digits)"));
      return false;
    }
    return true;
  }

  /** The server's invalid request handler: what Netty's decoder refused, as problem+json. */
  static void invalidRequest(HttpServerRequest req) {
    int status = VertxInternals.invalidRequestStatus(req);
    Problem p =
        status == 414
            ? new Problem(
                414, "uri-too-long", "URI too long", "The request line is over the limit", null)
            : status == 431
                ? new Problem(
                    431,
                    "headers-too-large",
                    "Request headers too large",
                    "The request headers are over the limit",
                    null)
                : Problem.ofStatus(400);
    // the connection's state after a decoding failure is unknown: answer and close
    req.response().putHeader("Connection", "close");
    refuse(req, p);
    req.response().closed();
  }

  /**
   * The query parameter whose name or value is badly encoded, so the problem names the field
   * ("query" when no single one can be named).
   */
  static String badlyEncoded(String rawQuery) {
    if (rawQuery == null) return "query";
    for (String pair : rawQuery.split("&")) {
      if (wellEncoded(pair)) continue;
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (!wellEncoded(name) || name.isBlank() || name.length() > 100) return "query";
      try {
        return java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "query";
      }
    }
    return "query";
  }

  static boolean wellEncoded(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) == '%' && (i + 2 >= n || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))))
        return false;
    }
    return true;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static void refuse(HttpServerRequest req, Problem p) {
    String id = RequestIds.newId();
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.headWritten()) return;
    HttpReplies.logProblem(
        id,
        req.method() == null ? "-" : req.method().name(),
        safePath(req),
        p.status(),
        p.getMessage());
    resp.setStatusCode(p.status())
        .putHeader("Content-Type", "application/problem+json")
        .putHeader("X-Request-Id", id)
        .end(p.toJson().put("instance", "urn:request:" + id).toBuffer());
  }

  private static String safePath(HttpServerRequest req) {
    String uri = req.uri();
    if (uri == null) return "-";
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }
}
