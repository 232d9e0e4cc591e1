package io.tracearr.analytics.session;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;

/**
 * The reply to a session command, the same for both doors: {@code {"status": 201, "session": {...}}} or
 * {@code {"status": 409, "problem": {...}}}. The REST door turns it into an HTTP response, the WebSocket
 * ingest door into a reply message.
 */
public final class CommandReply {

  private CommandReply() {}

  public static JsonObject ok(int status, JsonObject session) {
    return new JsonObject().put("status", status).put("session", session);
  }

  public static JsonObject problem(Problem p) {
    return new JsonObject().put("status", p.status()).put("problem", p.toJson());
  }
}
