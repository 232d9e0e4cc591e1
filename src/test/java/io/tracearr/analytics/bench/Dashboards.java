package io.tracearr.analytics.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Dashboard sockets on {@code GET /api/v1/live}, as a browser opens them (token in {@code
 * ?access_token=}, every topic). Frames are read raw ({@code frameHandler}: no message aggregation,
 * so a snapshot of any size costs the client no memory) and only the head of each frame is looked
 * at: its type, {@code ts} and the id of its data.
 */
final class Dashboards {

  /** One socket's view. */
  static final class Socket {
    final boolean stalled;
    volatile ClientWebSocket ws;
    volatile boolean snapshotDone;
    volatile boolean closed;
    volatile Short closeCode;
    final AtomicLong sessionFrames = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    long snapshotBytes;
    int attempt;
    private boolean inSnapshot;
    private boolean inOther;

    Socket(boolean stalled) {
      this.stalled = stalled;
    }
  }

  /** Delivery latency: frame {@code ts} (when the hub encoded the event) to receipt. */
  final Histogram fanoutMicros = new ConcurrentHistogram(3);

  /**
   * End to end: the client's command for that session sent to the frame's receipt (needs {@link
   * #sentAt}).
   */
  final Histogram endToEndMicros = new ConcurrentHistogram(3);

  /** "started:&lt;id&gt;" / "ended:&lt;id&gt;" → System.nanoTime() when the command was sent. */
  final Map<String, Long> sentAt = new ConcurrentHashMap<>();

  /**
   * For a sender in another process (scenario 4): "started:&lt;id&gt;" / "ended:&lt;id&gt;" → epoch
   * microseconds when the first live socket received it; joined with the sender's own record
   * afterwards.
   */
  final Map<String, Long> receivedAtMicros = new ConcurrentHashMap<>();

  private volatile boolean recordReceipts;

  final List<Socket> sockets = new ArrayList<>();
  final AtomicLong framesSeen = new AtomicLong();
  final AtomicLong reconnects = new AtomicLong();
  final AtomicLong snapshots = new AtomicLong();
  private volatile boolean reconnect;
  private volatile String[] initialTopics;
  private volatile boolean stopping;
  private final Vertx vertx;
  private final WebSocketClient client;
  private final String host;
  private final int port;
  private final String token;

  /**
   * extra per-frame work (alerts): type and the whole text of frames whose type starts with
   * "alert."
   */
  private volatile BiConsumer<String, String> alertListener;

  private final ThreadLocal<String[]> lastTs = ThreadLocal.withInitial(() -> new String[2]);
  private final ThreadLocal<long[]> lastTsMicros = ThreadLocal.withInitial(() -> new long[1]);

  Dashboards(Vertx vertx, String host, int port, String token) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.token = token;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(100_000)
                .setMaxFrameSize(1 << 24)
                .setMaxMessageSize(1 << 26)
                .setConnectTimeout(10_000)
                .setIdleTimeout(0));
  }

  void onAlert(BiConsumer<String, String> listener) {
    this.alertListener = listener;
  }

  /**
   * extra per-frame work (scenario 14): the socket and the whole text of each stats.updated frame
   */
  private volatile BiConsumer<Socket, String> statsListener;

  void onStats(BiConsumer<Socket, String> listener) {
    this.statsListener = listener;
  }

  /**
   * Opens {@code n} sockets, {@code concurrency} handshakes at a time; completes when every one has
   * its snapshot (or failed).
   */
  Future<Integer> open(int n, int concurrency, boolean stalled) {
    Promise<Integer> done = Promise.promise();
    int[] next = {0};
    int[] finished = {0};
    int[] ok = {0};
    Runnable[] pump = new Runnable[1];
    vertx.runOnContext(
        v -> {
          pump[0] =
              () -> {
                if (next[0] >= n) return;
                next[0]++;
                connect(stalled)
                    .onComplete(
                        ar ->
                            vertx.runOnContext(
                                x -> {
                                  if (ar.succeeded()) ok[0]++;
                                  if (++finished[0] == n) done.complete(ok[0]);
                                  else pump[0].run();
                                }));
              };
          if (n == 0) done.complete(0);
          for (int i = 0; i < Math.min(n, concurrency); i++) pump[0].run();
        });
    return done.future();
  }

  /**
   * Closed sockets reconnect as the dashboard page does (webroot/live.js): after 0.5 s × 2^attempt
   * (at most 30 s), jittered to 50-100 %, the attempt count reset by a snapshot.
   */
  void reconnecting(boolean on) {
    this.reconnect = on;
  }

  /** Completes when the socket has its snapshot (a stalled socket: when its handshake is done). */
  Future<Socket> connect(boolean stalled) {
    Socket s = new Socket(stalled);
    synchronized (sockets) {
      sockets.add(s);
    }
    return dial(s);
  }

  private Future<Socket> dial(Socket s) {
    Promise<Socket> ready = Promise.promise();
    ClientWebSocket ws = client.webSocket();
    s.ws = ws;
    s.closed = false;
    s.inSnapshot = false;
    s.inOther = false;
    ws.frameHandler(f -> onFrame(s, f, ready));
    ws.closeHandler(
        v -> {
          s.closed = true;
          s.closeCode = ws.closeStatusCode();
          ready.tryFail(
              "closed before its snapshot (" + ws.closeStatusCode() + " " + ws.closeReason() + ")");
          redial(s);
        });
    ws.exceptionHandler(err -> ready.tryFail(err));
    ws.connect(
            new WebSocketConnectOptions()
                .setHost(host)
                .setPort(port)
                .setURI("/api/v1/live?access_token=" + token))
        .onSuccess(
            w -> {
              if (s.stalled) {
                ws.pause();
                ready.tryComplete(s);
              }
            })
        .onFailure(
            err -> {
              s.closed = true;
              ready.tryFail(err);
              redial(s);
            });
    return ready.future().timeout(120, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void redial(Socket s) {
    if (!reconnect || stopping || s.stalled) return;
    long base = Math.min(30_000, 500L << Math.min(s.attempt, 10));
    long delay = Math.max(1, (long) (base * (0.5 + Math.random() / 2)));
    s.attempt = Math.min(s.attempt + 1, 10);
    reconnects.incrementAndGet();
    vertx.setTimer(
        delay,
        id -> {
          if (!stopping) dial(s);
        });
  }

  private void onFrame(Socket s, WebSocketFrame f, Promise<Socket> ready) {
    if (!f.isText() && !f.isContinuation()) return;
    Buffer b = f.binaryData();
    s.bytes.addAndGet(b.length());
    if (f.isContinuation()) {
      if (s.inSnapshot) {
        s.snapshotBytes += b.length();
        if (f.isFinal()) snapshotComplete(s, ready);
      } else if (s.inOther && f.isFinal()) {
        s.inOther = false;
      }
      return;
    }
    framesSeen.incrementAndGet();
    long nowMicros = nowMicros();
    String head = b.getString(0, Math.min(b.length(), 160), "UTF-8");
    if (head.startsWith("{\"type\":\"session.started\"")
        || head.startsWith("{\"type\":\"session.ended\"")) {
      s.sessionFrames.incrementAndGet();
      long ts = tsMicros(head);
      if (ts > 0) fanoutMicros.recordValue(Math.max(1, nowMicros - ts));
      String id = dataId(head);
      if (id != null && recordReceipts && s == firstLive()) {
        receivedAtMicros.putIfAbsent(
            (head.charAt(17) == 's' ? "started:" : "ended:") + id, nowMicros);
      }
      if (id != null) {
        Long sent = sentAt.get((head.charAt(17) == 's' ? "started:" : "ended:") + id);
        if (sent != null)
          endToEndMicros.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
      }
    } else if (head.startsWith("{\"type\":\"snapshot\"")) {
      s.inSnapshot = true;
      s.snapshotBytes = b.length();
      if (f.isFinal()) snapshotComplete(s, ready);
    } else if (head.startsWith("{\"type\":\"stats.updated\"") && f.isFinal()) {
      BiConsumer<Socket, String> l = statsListener;
      if (l != null) l.accept(s, b.toString(StandardCharsets.UTF_8));
    } else if (head.startsWith("{\"type\":\"alert.")) {
      BiConsumer<String, String> l = alertListener;
      if (l != null) {
        int q = head.indexOf('"', 9);
        l.accept(head.substring(9, q), b.toString(StandardCharsets.UTF_8));
      }
    }
    if (!f.isFinal() && !s.inSnapshot) s.inOther = true;
  }

  private volatile Socket firstLive;

  private Socket firstLive() {
    Socket f = firstLive;
    if (f == null) {
      synchronized (sockets) {
        for (Socket x : sockets) {
          if (!x.stalled) {
            firstLive = f = x;
            break;
          }
        }
      }
    }
    return f;
  }

  /** Receipts of the first live socket are kept in {@link #receivedAtMicros} from now on. */
  void recordReceipts(boolean on) {
    this.recordReceipts = on;
  }

  /**
   * Topics every socket asks for once it has its snapshot (null: the default, every topic it may
   * read).
   */
  void topicsAfterSnapshot(String... topics) {
    this.initialTopics = topics.length == 0 ? null : topics;
  }

  /**
   * Asks every open socket for these topics ({@code {"type":"subscribe"}}); later sockets get them
   * too.
   */
  void subscribeAll(String... topics) {
    topicsAfterSnapshot(topics);
    synchronized (sockets) {
      for (Socket s : sockets) {
        if (!s.closed && s.snapshotDone && !s.stalled) subscribe(s, topics);
      }
    }
  }

  private void subscribe(Socket s, String[] topics) {
    io.vertx.core.json.JsonArray names = new io.vertx.core.json.JsonArray();
    for (String t : topics) names.add(t);
    try {
      s.ws.writeTextMessage(
          new io.vertx.core.json.JsonObject()
              .put("type", "subscribe")
              .put("topics", names)
              .encode());
    } catch (IllegalStateException closedMeanwhile) {
      // its close handler redials it
    }
  }

  private void snapshotComplete(Socket s, Promise<Socket> ready) {
    s.inSnapshot = false;
    s.snapshotDone = true;
    s.attempt = 0;
    snapshots.incrementAndGet();
    String[] topics = initialTopics;
    if (topics != null) subscribe(s, topics);
    ready.tryComplete(s);
  }

  /**
   * The frame's {@code ts}; frames of one event share it, so the last parse per thread is reused.
   */
  private long tsMicros(String head) {
    int i = head.indexOf("\"ts\":\"");
    if (i < 0) return -1;
    int end = head.indexOf('"', i + 6);
    if (end < 0) return -1;
    String ts = head.substring(i + 6, end);
    String[] last = lastTs.get();
    long[] lastMicros = lastTsMicros.get();
    if (ts.equals(last[0])) return lastMicros[0];
    try {
      Instant t = Instant.parse(ts);
      long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      last[0] = ts;
      lastMicros[0] = micros;
      return micros;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** {@code "data":{"id":"<uuid>"} — the session JSON starts with its id. */
  private static String dataId(String head) {
    int i = head.indexOf("\"data\":{\"id\":\"");
    if (i < 0 || head.length() < i + 14 + 36) return null;
    return head.substring(i + 14, i + 14 + 36);
  }

  static long nowMicros() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  /** For error messages: how the sockets stand. */
  String census() {
    synchronized (sockets) {
      long snap = sockets.stream().filter(x -> x.snapshotDone && !x.closed).count();
      long closedNow = sockets.stream().filter(x -> x.closed).count();
      Map<String, Long> codes = new java.util.TreeMap<>();
      for (Socket x : sockets)
        if (x.closed) codes.merge(String.valueOf(x.closeCode), 1L, Long::sum);
      return sockets.size()
          + " sockets: "
          + snap
          + " live with a snapshot, "
          + closedNow
          + " closed "
          + codes
          + ", "
          + (sockets.size() - snap - closedNow)
          + " waiting";
    }
  }

  long open() {
    synchronized (sockets) {
      return sockets.stream().filter(s -> !s.closed).count();
    }
  }

  long closedWith(boolean stalled, int code) {
    synchronized (sockets) {
      return sockets.stream()
          .filter(
              s -> s.stalled == stalled && s.closed && s.closeCode != null && s.closeCode == code)
          .count();
    }
  }

  long closed(boolean stalled) {
    synchronized (sockets) {
      return sockets.stream().filter(s -> s.stalled == stalled && s.closed).count();
    }
  }

  /** Session frames received per live (not stalled) socket: min and mean. */
  long[] sessionFramesMinMean() {
    synchronized (sockets) {
      long min = Long.MAX_VALUE;
      long sum = 0;
      int n = 0;
      for (Socket s : sockets) {
        if (s.stalled) continue;
        min = Math.min(min, s.sessionFrames.get());
        sum += s.sessionFrames.get();
        n++;
      }
      return n == 0 ? new long[] {0, 0} : new long[] {min, sum / n};
    }
  }

  void resetCounters() {
    fanoutMicros.reset();
    endToEndMicros.reset();
    synchronized (sockets) {
      for (Socket s : sockets) s.sessionFrames.set(0);
    }
  }

  Future<Void> closeAll() {
    stopping = true;
    List<Future<Void>> all = new ArrayList<>();
    synchronized (sockets) {
      for (Socket s : sockets) {
        if (s.closed || s.ws == null) continue;
        try {
          all.add(s.ws.close().recover(err -> Future.succeededFuture()));
        } catch (IllegalStateException notConnected) {
          // a handshake still in flight: the client's close below drops it
        }
      }
    }
    return Future.join(all).transform(ar -> client.close());
  }
}
