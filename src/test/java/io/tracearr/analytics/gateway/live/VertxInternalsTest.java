package io.tracearr.analytics.gateway.live;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What {@link VertxInternals} relies on, through a real Vert.x server and WebSocket client on port
 * 0. Each failure names the Vert.x release the adapter was checked against and the one running:
 * after an upgrade, a red test here means the live channel's raw writes or its abortive close no
 * longer work as they did.
 */
@ExtendWith(VertxExtension.class)
class VertxInternalsTest {

  private static final String RUNNING = Vertx.class.getPackage().getImplementationVersion();
  private static final int TIMEOUT_SECONDS = 20;

  /**
   * One accepted socket, with what the gateway takes from it at the same moments (see
   * WebSocketDoor, DashboardSocket).
   */
  private record Accepted(
      Context loop,
      ServerWebSocket ws,
      HttpConnection connection,
      VertxInternals.Wire wire,
      Runnable cut) {}

  private final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private int port;

  @BeforeEach
  void startServer(Vertx vertx) throws Exception {
    this.vertx = vertx;
    // small socket buffers: what the kernel can hold between a peer that stopped reading and the
    // server stays far
    // below what is written, so the cut provably discards what Netty still queues (on a loaded
    // machine, loopback's
    // autotuned buffers of several MB could otherwise take everything before the cut)
    HttpServer server =
        vertx
            .createHttpServer(
                new io.vertx.core.http.HttpServerOptions().setSendBufferSize(32 * 1024))
            .requestHandler(
                req -> {
                  HttpConnection connection = req.connection();
                  Runnable cut = VertxInternals.abortiveClose(connection);
                  req.toWebSocket()
                      .onSuccess(
                          ws ->
                              accepted.add(
                                  new Accepted(
                                      Vertx.currentContext(),
                                      ws,
                                      connection,
                                      VertxInternals.wireOf(connection),
                                      cut)));
                });
    port = server.listen(0, "127.0.0.1").await(TIMEOUT_SECONDS, SECONDS).actualPort();
  }

  @Test
  void framesWrittenToTheChannelArriveWholeAndInOrderIncludingFragmentedOnesAndABurst()
      throws Exception {
    Client client = connect();
    Accepted server = accept();
    List<Frame> batch = new ArrayList<>();
    // header boundaries (125/126, 65535/65536), fragmentation (> 64 KiB, exact multiples), and
    // UTF-8 cut by a fragment edge
    int[] sizes = {0, 1, 125, 126, 65535, 65536, 65537, 3 * 65536, 200_000};
    for (int i = 0; i < sizes.length; i++) batch.add(ascii(i, sizes[i]));
    batch.add(multibyte(sizes.length, 100_000));
    List<Frame> burst = new ArrayList<>();
    for (int i = 0; i < 200; i++) burst.add(ascii(100 + i, 40 + i));

    int wireBytes = batch.stream().mapToInt(Frame::wireSize).sum();
    int encodedBytes =
        onLoop(
            server.loop(),
            () -> {
              VertxInternals.Encoded encoded = server.wire().encode(batch, wireBytes);
              int size = encoded.size();
              server.wire().writeAndFlush(encoded);
              // a burst: one write and flush per frame, back to back on the loop
              for (Frame f : burst)
                server.wire().writeAndFlush(server.wire().encode(List.of(f), f.wireSize()));
              return size;
            });

    assertEquals(
        wireBytes,
        encodedBytes,
        "Frame.wireSize (the outbox's accounting) must match the encoding");
    List<String> expected = new ArrayList<>();
    for (Frame f : batch) expected.add(f.text());
    for (Frame f : burst) expected.add(f.text());
    assertEquals(
        expected,
        client.awaitMessages(expected.size()),
        broken(
            "raw frames written to the channel did not reach the client as the same text messages in order"));
  }

  @Test
  void oneEncodingSharedByTwoSocketsArrivesWholeAtEach() throws Exception {
    Client first = connect();
    Accepted a = accept();
    Client second = connect();
    Accepted b = accept();
    List<Frame> tick = List.of(ascii(1, 300), ascii(2, 70_000), ascii(3, 5));

    onLoop(
        a.loop(),
        () -> {
          VertxInternals.Encoded encoded =
              a.wire().encode(tick, tick.stream().mapToInt(Frame::wireSize).sum());
          // as Outbox.Tick does: each socket writes its own share, the tick releases the original
          a.wire().writeAndFlush(encoded.share());
          b.wire().writeAndFlush(encoded.share());
          encoded.release();
          return null;
        });

    List<String> expected = tick.stream().map(Frame::text).toList();
    assertEquals(
        expected,
        first.awaitMessages(3),
        broken("a shared encoding did not arrive whole at the first socket"));
    assertEquals(
        expected,
        second.awaitMessages(3),
        broken("a shared encoding did not arrive whole at the second socket"));
  }

  @Test
  void aSharedTextFrameWrittenThroughVertxArrivesWhole() throws Exception {
    Client client = connect();
    Accepted server = accept();
    List<Frame> frames = List.of(ascii(1, 10), multibyte(2, 60_000), ascii(3, 65536));

    onLoop(
        server.loop(),
        () -> {
          for (Frame f : frames) server.ws().writeFrame(VertxInternals.sharedTextFrame(f.utf8()));
          return null;
        });

    assertEquals(
        frames.stream().map(Frame::text).toList(),
        client.awaitMessages(frames.size()),
        broken("a text frame over shared bytes did not arrive as its text"));
  }

  @Test
  void theWireIsOnlyHandedOutOnTheChannelsOwnEventLoop() throws Exception {
    connect();
    Accepted server = accept();

    assertNotNull(server.wire(), broken("no Netty channel behind an upgraded server connection"));
    assertNull(
        VertxInternals.wireOf(server.connection()),
        "a thread other than the channel's event loop must get no wire");
  }

  @Test
  void theBoundFollowsSetWriteQueueMaxSizeAndTheCutEndsTheConnectionOfAPeerThatStoppedReading()
      throws Exception {
    int bound = 256 * 1024;
    Client client = connect(false);
    client.ws.pause();
    Accepted server = accept();
    Promise<Void> serverSawClose = Promise.promise();
    server.ws().closeHandler(v -> serverSawClose.tryComplete());

    boolean[] idle =
        onLoop(
            server.loop(),
            () -> {
              server.ws().setWriteQueueMaxSize(bound);
              // a little either side: the bound is in bytes, not off by a frame
              return new boolean[] {
                server.wire().full(bound - 1024), server.wire().full(bound + 1024)
              };
            });
    assertFalse(idle[0], broken("an idle channel counted less than its write-queue bound as full"));
    assertTrue(idle[1], broken("the channel's water mark does not follow setWriteQueueMaxSize"));

    Frame big = ascii(0, 64 * 1024);
    // write past the water mark and cut in the same event-loop turn: nothing can drain in between
    int[] outcome =
        onLoop(
            server.loop(),
            () -> {
              int n = 0;
              // the peer reads nothing: the kernel's buffers fill, then Netty's, until the water
              // mark
              while (!server.wire().full(0) && n < 4000) {
                server.wire().writeAndFlush(server.wire().encode(List.of(big), big.wireSize()));
                n++;
              }
              boolean full = server.wire().full(0);
              server.cut().run();
              return new int[] {n, full ? 1 : 0};
            });
    int written = outcome[0];
    assertTrue(
        outcome[1] == 1,
        broken(
            "the channel never went past its water mark while the peer read nothing ("
                + written
                + " frames written)"));

    try {
      serverSawClose.future().await(TIMEOUT_SECONDS, SECONDS);
    } catch (TimeoutException e) {
      fail(
          broken(
              "the cut did not close the connection while the peer was not reading (a close that waits for a flush?)"));
    }

    client.ws.resume();
    try {
      client.closed.get(TIMEOUT_SECONDS, SECONDS);
    } catch (TimeoutException e) {
      fail(broken("the client never saw its connection end after the cut"));
    }
    assertTrue(
        client.received.get() < written,
        broken(
            "the cut flushed what was queued ("
                + client.received.get()
                + " of "
                + written
                + " frames arrived); a stalled peer would keep the connection open"));
  }

  // ---- helpers
  // ------------------------------------------------------------------------------------------

  private static String broken(String what) {
    return "VertxInternals (checked against Vert.x "
        + VertxInternals.CHECKED_AGAINST
        + ", running "
        + RUNNING
        + "): "
        + what;
  }

  /**
   * An ASCII text message of exactly {@code bytes} bytes, starting with its number where it fits.
   */
  private static Frame ascii(int n, int bytes) {
    StringBuilder text = new StringBuilder(bytes).append(n).append(':');
    while (text.length() < bytes) text.append((char) ('a' + text.length() % 26));
    text.setLength(bytes);
    return Frame.reply(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A message of two-, three- and four-byte characters, so fragment edges fall inside characters.
   */
  private static Frame multibyte(int n, int approxBytes) {
    StringBuilder text = new StringBuilder().append(n).append(':');
    while (text.length() < approxBytes / 3) text.append("é€😀");
    return Frame.reply(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private Accepted accept() throws InterruptedException {
    Accepted a = accepted.poll(TIMEOUT_SECONDS, SECONDS);
    assertNotNull(a, "the server accepted no WebSocket");
    assertNotNull(a.wire(), broken("no Netty channel behind an upgraded server connection"));
    return a;
  }

  private <T> T onLoop(Context loop, Supplier<T> work) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          try {
            done.complete(work.get());
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        });
    return done.get(TIMEOUT_SECONDS, SECONDS);
  }

  private Client connect() throws Exception {
    return connect(true);
  }

  private Client connect(boolean keepMessages) throws Exception {
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(1 << 20)
                .setReceiveBufferSize(32 * 1024));
    return new Client(
        client.connect(port, "127.0.0.1", "/").await(TIMEOUT_SECONDS, SECONDS), keepMessages);
  }

  /**
   * The dashboard side: collects text messages (or only counts them) and notes the connection's
   * end.
   */
  private static final class Client {
    final WebSocket ws;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final AtomicInteger received = new AtomicInteger();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    Client(WebSocket ws, boolean keep) {
      this.ws = ws;
      ws.textMessageHandler(
          text -> {
            received.incrementAndGet();
            if (keep) messages.add(text);
          });
      ws.exceptionHandler(
          err -> {
            /* a cut connection may report a reset; the close handler follows */
          });
      ws.closeHandler(v -> closed.complete(null));
    }

    /**
     * The first {@code n} messages, or fewer if they do not come in time (the assertion then shows
     * which).
     */
    List<String> awaitMessages(int n) throws InterruptedException {
      List<String> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (got.size() < n) {
        String next =
            messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (next == null) break;
        got.add(next);
      }
      return got;
    }
  }
}
