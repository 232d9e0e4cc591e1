package io.tracearr.analytics.notify;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP receiver for notification tests: a Vert.x server on a free port that records every
 * request exactly as it arrived (method, path, query, headers, raw body bytes — the bytes a
 * signature covers) and answers as scripted, one reply per request in order, then {@link
 * #otherwise}. Replies can misbehave the way real receivers do: 5xx, 429 with Retry-After, hang,
 * reset the connection, answer bytes that are not HTTP.
 */
public final class RecordingReceiver {

  /** One request as received. */
  public record Recorded(
      String method, String path, String query, MultiMap headers, Buffer body, Instant receivedAt) {
    public String header(String name) {
      return headers.get(name);
    }

    public byte[] bodyBytes() {
      return body.getBytes();
    }

    public String bodyAsString() {
      return body.toString(StandardCharsets.UTF_8);
    }

    public JsonObject bodyAsJson() {
      return new JsonObject(body);
    }
  }

  /** How to answer one request. */
  public static final class Reply {
    private enum Kind {
      RESPOND,
      HANG,
      RESET,
      GARBAGE
    }

    private final Kind kind;
    private final int status;
    private final Map<String, String> headers;
    private final String body;

    private Reply(Kind kind, int status, Map<String, String> headers, String body) {
      this.kind = kind;
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    public static Reply status(int status) {
      return new Reply(Kind.RESPOND, status, Map.of(), "");
    }

    public static Reply status(int status, String body, Map<String, String> headers) {
      return new Reply(Kind.RESPOND, status, headers, body);
    }

    public static Reply json(int status, JsonObject body) {
      return status(status, body.encode(), Map.of("Content-Type", "application/json"));
    }

    /** 429 (or 503) with {@code Retry-After}, seconds or an HTTP-date. */
    public static Reply retryAfter(int status, String retryAfter) {
      return status(status, "", Map.of("Retry-After", retryAfter));
    }

    /** Reads the request and never answers: the sender's timeout must fire. */
    public static Reply hang() {
      return new Reply(Kind.HANG, 0, Map.of(), "");
    }

    /** Closes the TCP connection with a reset (SO_LINGER 0) instead of answering. */
    public static Reply reset() {
      return new Reply(Kind.RESET, 0, Map.of(), "");
    }

    /** Writes bytes that are not an HTTP response, then closes. */
    public static Reply garbage() {
      return new Reply(Kind.GARBAGE, 0, Map.of(), "");
    }
  }

  private final Vertx vertx;
  private final Queue<Reply> script = new ConcurrentLinkedQueue<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private volatile Reply otherwise = Reply.status(200, "ok", Map.of("Content-Type", "text/plain"));
  private HttpServer server;

  private record Waiter(int count, Promise<List<Recorded>> promise) {}

  private RecordingReceiver(Vertx vertx) {
    this.vertx = vertx;
  }

  public static Future<RecordingReceiver> start(Vertx vertx) {
    return start(vertx, 0);
  }

  /** On a given port: a receiver that was down comes back where the channel points. */
  public static Future<RecordingReceiver> start(Vertx vertx, int port) {
    RecordingReceiver receiver = new RecordingReceiver(vertx);
    return vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(receiver::handle)
        .listen()
        .map(
            s -> {
              receiver.server = s;
              return receiver;
            });
  }

  /** Replies for the next requests, in order; later calls append. */
  public RecordingReceiver script(Reply... replies) {
    script.addAll(List.of(replies));
    return this;
  }

  /** The next {@code times} requests get {@code status}; then the default reply. */
  public RecordingReceiver failTimes(int times, int status) {
    for (int i = 0; i < times; i++) script.add(Reply.status(status));
    return this;
  }

  /** The reply once the script is used up (200 "ok" unless changed). */
  public RecordingReceiver otherwise(Reply reply) {
    this.otherwise = reply;
    return this;
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + (path.startsWith("/") ? path : "/" + path);
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  /** Completes once {@code count} requests have arrived (at once if they already have). */
  public Future<List<Recorded>> awaitRequests(int count) {
    Promise<List<Recorded>> promise = Promise.promise();
    waiters.add(new Waiter(count, promise));
    release();
    return promise.future();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    req.body()
        .onSuccess(
            body -> {
              requests.add(
                  new Recorded(
                      req.method().name(),
                      req.path(),
                      req.query(),
                      MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                      body.copy(),
                      Instant.now()));
              Reply reply = script.poll();
              answer(req, reply == null ? otherwise : reply);
              release();
            });
  }

  private void answer(HttpServerRequest req, Reply reply) {
    switch (reply.kind) {
      case RESPOND -> {
        var resp = req.response().setStatusCode(reply.status);
        reply.headers.forEach(resp::putHeader);
        resp.end(reply.body);
      }
      case HANG -> {
        // nothing: the request stays open until the sender gives up or the receiver closes
      }
      case RESET -> {
        Channel ch = channel(req.connection());
        if (ch == null) {
          req.connection().close();
        } else {
          // SO_LINGER 0 makes close() send RST: the sender sees "connection reset", not a clean EOF
          ch.config().setOption(ChannelOption.SO_LINGER, 0);
          ch.close();
        }
      }
      case GARBAGE -> {
        Channel ch = channel(req.connection());
        if (ch == null) {
          req.response().setStatusCode(200).end("\u0000garbage");
        } else {
          // written from the first handler's context so it bypasses the HTTP encoder and reaches
          // the socket raw
          ch.pipeline()
              .firstContext()
              .writeAndFlush(
                  Unpooled.copiedBuffer(
                      "this is not HTTP\r\n\r\n\u0000\u0001", StandardCharsets.ISO_8859_1))
              .addListener(ChannelFutureListener.CLOSE);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /**
   * Vert.x exposes the Netty channel only through its internal connection class; fine for a test
   * helper.
   */
  private static Channel channel(HttpConnection connection) {
    return connection instanceof ConnectionBase base ? base.channel() : null;
  }

  private void release() {
    for (Waiter w : waiters) {
      if (requests.size() >= w.count() && waiters.remove(w)) {
        vertx.runOnContext(v -> w.promise().tryComplete(List.copyOf(requests)));
      }
    }
  }
}
