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

  /**
   * Answers a command message with what {@code command} completes with, or its failure as a problem
   * ({@code toProblem}); a {@link Problem} thrown while starting the command is answered the same
   * way. {@code options} null: the bus's default codec.
   */
  public static <T> void serve(
      io.vertx.core.eventbus.Message<T> msg,
      java.util.function.Function<T, io.vertx.core.Future<JsonObject>> command,
      java.util.function.Function<Throwable, Problem> toProblem,
      io.vertx.core.eventbus.DeliveryOptions options) {
    io.vertx.core.Future<JsonObject> reply;
    try {
      reply = command.apply(msg.body());
    } catch (Problem p) {
      reply = io.vertx.core.Future.failedFuture(p);
    }
    reply.onComplete(
        ar -> {
          JsonObject body = ar.succeeded() ? ar.result() : problem(toProblem.apply(ar.cause()));
          if (options == null) msg.reply(body);
          else msg.reply(body, options);
        });
  }
}
