package io.tracearr.analytics.bus;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;

/**
 * The reply to a command, whichever door sent it: {@code {"status": 201, "session": {...}}} for
 * session commands, {@code {"status": 200, "body": {...}}} for others, or {@code {"status": 409,
 * "problem": {...}}}. The owner of the command validates and answers; the REST door turns the reply
 * into an HTTP response, the WebSocket ingest door into a reply message.
 */
public final class CommandReply {

  private CommandReply() {}

  public static JsonObject ok(int status, JsonObject session) {
    return new JsonObject().put("status", status).put("session", session);
  }

  public static JsonObject body(int status, JsonObject body) {
    return new JsonObject().put("status", status).put("body", body);
  }

  public static JsonObject problem(Problem p) {
    return new JsonObject().put("status", p.status()).put("problem", p.toJson());
  }
}
