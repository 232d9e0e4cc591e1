package io.tracearr.analytics.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A blocking test client for the WebSocket channels, on the real Vert.x WebSocket client: every
 * JSON message received is kept in order, and tests wait for the one they expect.
 */
public final class LiveClient implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(20);

  private final WebSocketClient client;
  private final WebSocket ws;
  private final List<JsonObject> received = new ArrayList<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();
  private int cursor;

  private LiveClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(
        text -> {
          synchronized (received) {
            received.add(new JsonObject(text));
            received.notifyAll();
          }
        });
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
  }

  /**
   * Connects with {@code Authorization: Bearer}; fails with the refusal if the upgrade is refused.
   */
  public static LiveClient connect(Vertx vertx, int port, String path, String token) {
    return TestNode.await(open(vertx, port, path, token, new WebSocketClientOptions()));
  }

  public static Future<LiveClient> open(
      Vertx vertx, int port, String path, String token, WebSocketClientOptions options) {
    WebSocketClient client =
        vertx.createWebSocketClient(options.setMaxFrameSize(1 << 20).setMaxMessageSize(64 << 20));
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    if (token != null) connect.addHeader("Authorization", "Bearer " + token);
    return client
        .connect(connect)
        .map(ws -> new LiveClient(client, ws))
        .onFailure(err -> client.close());
  }

  /** The refusal of an upgrade: its HTTP status and problem+json body. */
  public static UpgradeRejectedException refusal(Vertx vertx, int port, String path, String token) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    if (token != null) connect.addHeader("Authorization", "Bearer " + token);
    try {
      Future<WebSocket> f = client.connect(connect);
      f.toCompletionStage()
          .toCompletableFuture()
          .handle((ok, err) -> null)
          .get(30, TimeUnit.SECONDS);
      if (f.succeeded()) {
        f.result().close();
        throw new AssertionError("upgrade of " + path + " was accepted");
      }
      if (f.cause() instanceof UpgradeRejectedException r) return r;
      throw new AssertionError("upgrade failed without an HTTP refusal", f.cause());
    } catch (InterruptedException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    } finally {
      client.close();
    }
  }

  public WebSocket socket() {
    return ws;
  }

  public void send(JsonObject message) {
    TestNode.await(ws.writeTextMessage(message.encode()));
  }

  public void sendText(String text) {
    TestNode.await(ws.writeTextMessage(text));
  }

  /** The next message after the last one returned by {@link #await}, whatever it is. */
  public JsonObject next() {
    return await(m -> true, "any message");
  }

  /**
   * The next frame of this type (frames of other types in between are skipped, but kept in {@link
   * #received()}).
   */
  public JsonObject await(String type) {
    return await(m -> type.equals(m.getString("type")), "a " + type + " frame");
  }

  public JsonObject await(String type, Predicate<JsonObject> data) {
    return await(
        m ->
            type.equals(m.getString("type"))
                && m.getValue("data") instanceof JsonObject d
                && data.test(d),
        "a matching " + type + " frame");
  }

  /** Waits for the next message matching; messages before it are passed over. */
  public JsonObject await(Predicate<JsonObject> match, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (received) {
      while (true) {
        while (cursor < received.size()) {
          JsonObject m = received.get(cursor++);
          if (match.test(m)) return m;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0)
          throw new AssertionError("timed out waiting for " + what + "; received: " + received);
        try {
          received.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Everything received so far, in order. */
  public List<JsonObject> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /**
   * The close status code the server sent (null when the connection ended without a close frame).
   */
  public Short awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed within " + timeout, e);
    }
  }

  @Override
  public void close() {
    if (!closed.isDone()) ws.close();
    client.close();
  }
}
