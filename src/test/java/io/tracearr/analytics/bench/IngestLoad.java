package io.tracearr.analytics.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Heartbeats over {@code GET /api/v1/ingest}: each connection keeps {@code window} messages in
 * flight (the server pauses reading at 256), so the figure is the channel's throughput, not a round
 * trip's.
 */
final class IngestLoad {

  final Histogram latencyMicros = new ConcurrentHistogram(3);
  final AtomicLong ok = new AtomicLong();
  final AtomicLong notOk = new AtomicLong();
  private final Vertx vertx;
  private final WebSocketClient client;
  private final String host;
  private final int port;
  private final String token;
  private final List<ClientWebSocket> sockets = new ArrayList<>();
  private volatile boolean running;
  private volatile boolean recording;

  IngestLoad(Vertx vertx, String host, int port, String token) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.token = token;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(10_000)
                .setMaxFrameSize(1 << 20)
                .setConnectTimeout(10_000));
  }

  /**
   * Sends heartbeats for session ids {@code Ids.session(group, 0..sessions-1)} on {@code
   * connections} sockets.
   */
  Future<Void> start(int connections, int window, int group, int sessions) {
    running = true;
    List<Future<?>> opened = new ArrayList<>();
    for (int c = 0; c < connections; c++)
      opened.add(connect(c, connections, window, group, sessions));
    return Future.all(opened).mapEmpty();
  }

  private Future<Void> connect(int index, int connections, int window, int group, int sessions) {
    ClientWebSocket ws = client.webSocket();
    sockets.add(ws);
    long[] sentAt = new long[window];
    int[] next = {index};
    int[] ref = {0};
    Promise<Void> up = Promise.promise();
    Runnable sendOne =
        () -> {
          int slot = ref[0] % window;
          int session = next[0] % sessions;
          next[0] += connections;
          sentAt[slot] = System.nanoTime();
          ws.writeTextMessage(
              "{\"op\":\"heartbeat\",\"ref\":"
                  + ref[0]
                  + ",\"id\":\""
                  + Ids.session(group, session)
                  + "\","
                  + Ids.HEARTBEAT_FIELDS
                  + "}");
          ref[0]++;
        };
    ws.textMessageHandler(
        text -> {
          int r = refOf(text);
          if (r >= 0 && recording)
            latencyMicros.recordValue(Math.max(1, (System.nanoTime() - sentAt[r % window]) / 1000));
          if (recording) {
            if (text.contains("\"status\":204")) ok.incrementAndGet();
            else notOk.incrementAndGet();
          }
          if (running) sendOne.run();
        });
    ws.connect(
            new WebSocketConnectOptions()
                .setHost(host)
                .setPort(port)
                .setURI("/api/v1/ingest?access_token=" + token))
        .onSuccess(
            w -> {
              for (int i = 0; i < window; i++) sendOne.run();
              up.complete();
            })
        .onFailure(up::fail);
    return up.future();
  }

  private static int refOf(String reply) {
    int i = reply.indexOf("\"ref\":");
    if (i < 0) return -1;
    int j = i + 6;
    int v = 0;
    boolean any = false;
    while (j < reply.length() && Character.isDigit(reply.charAt(j))) {
      v = v * 10 + (reply.charAt(j++) - '0');
      any = true;
    }
    return any ? v : -1;
  }

  void record(boolean on) {
    if (on) {
      latencyMicros.reset();
      ok.set(0);
      notOk.set(0);
    }
    recording = on;
  }

  Future<Void> stop() {
    running = false;
    recording = false;
    List<Future<Void>> closing = new ArrayList<>();
    for (ClientWebSocket ws : sockets)
      closing.add(ws.close().recover(err -> Future.succeededFuture()));
    return Future.join(closing).transform(ar -> client.close());
  }
}
