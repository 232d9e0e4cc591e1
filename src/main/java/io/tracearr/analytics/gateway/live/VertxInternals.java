package io.tracearr.analytics.gateway.live;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every reach below Vert.x's public API, in one place. Checked against <b>Vert.x 5.0.10</b> (Netty
 * 4.2.12); {@code VertxInternalsTest} states each assumption through a real server and client, so
 * an upgrade that breaks one fails that test instead of the live channel.
 *
 * <p>What it relies on, and why the public API does not do:
 *
 * <ul>
 *   <li>An upgraded server connection is a {@code io.vertx.core.net.impl.ConnectionBase} whose
 *       {@code channel()} is the Netty channel the WebSocket runs on (the same channel before and
 *       after the upgrade). Vert.x 5.0 flushes every write made outside a read and has no write
 *       without a flush, so writing a broadcast frame by frame costs a syscall per frame per
 *       socket; {@link Wire} writes a socket's frames as one buffer with one flush.
 *   <li>Bytes written to that channel pass Vert.x's WebSocket encoders untouched (they only encode
 *       {@code WebSocketFrame} messages), so pre-encoded RFC 6455 frames — unmasked, RSV bits
 *       clear, text fragmented at {@link #MAX_FRAGMENT_BYTES} like {@code writeTextMessage} does —
 *       reach the peer as they are, also with permessage-deflate negotiated (RFC 7692 §6: RSV1
 *       clear means uncompressed).
 *   <li>The channel's writability and {@code bytesBeforeUnwritable} follow the water mark Vert.x
 *       sets from {@code setWriteQueueMaxSize}, so a socket's bound can count the bytes held before
 *       they are written.
 *   <li>Closing the first handler context of the pipeline closes the TCP connection at once: every
 *       close Vert.x offers first flushes what is queued, which a peer that stopped reading never
 *       lets happen.
 *   <li>{@code WebSocketFrameImpl(TEXT, byte[], true)} wraps the bytes without copying, so a frame
 *       written through Vert.x can share one encoding across sockets ({@code
 *       WebSocketFrame.textFrame} takes a String and encodes it again for every socket).
 * </ul>
 */
public final class VertxInternals {

  /** The Vert.x release these assumptions were last checked against. */
  static final String CHECKED_AGAINST = "5.0.10";

  /** Text messages are fragmented at this size (the gateway's maxWebSocketFrameSize). */
  static final int MAX_FRAGMENT_BYTES = 65536;

  private static final Logger log = LoggerFactory.getLogger(VertxInternals.class);
  private static final int FIN = 0x80;
  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_CONTINUATION = 0x0;
  private static volatile boolean warned;

  private VertxInternals() {}

  /**
   * The raw channel of an upgraded connection, or null when it is not this event loop's (the caller
   * then writes through Vert.x, one flush per frame) or not reachable at all (logged once: an
   * upgrade changed what this class relies on).
   */
  static Wire wireOf(HttpConnection connection) {
    Channel channel = channelOf(connection);
    return channel != null && channel.eventLoop().inEventLoop() ? new Wire(channel) : null;
  }

  /**
   * Drops the TCP connection at once, whatever is still queued for it. Falls back to Vert.x's close
   * (flush first) when the channel is not reachable.
   */
  static Runnable abortiveClose(HttpConnection connection) {
    Channel channel = channelOf(connection);
    if (channel == null) return connection::close;
    return () -> {
      // Vert.x's handler at the tail turns a close into "flush, then close"; from the head it is a
      // plain close
      ChannelHandlerContext first = channel.pipeline().firstContext();
      if (first != null) first.close();
      else channel.close();
    };
  }

  /**
   * A whole text frame over the given UTF-8 bytes, not copied: one encoding shared by every socket.
   */
  static WebSocketFrame sharedTextFrame(byte[] utf8) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true);
  }

  /**
   * Bytes of a text message of {@code payload} bytes on the wire, as {@link Wire#encode} writes it.
   */
  static int wireSize(int payload) {
    int size = 0;
    int offset = 0;
    do {
      int len = Math.min(MAX_FRAGMENT_BYTES, payload - offset);
      size += headerSize(len) + len;
      offset += len;
    } while (offset < payload);
    return size;
  }

  private static int headerSize(int len) {
    return len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
  }

  /**
   * The RFC 6455 close code for an error Netty's frame decoder raised (a frame over the size limit
   * 1009, a reserved opcode or RSV bit 1002, ...), or null for any other error. Vert.x builds that
   * decoder with {@code closeOnProtocolViolation(false)} and closes the channel right after the
   * error handler returns, without a close frame: the handler sends it.
   */
  static Short closeCodeOf(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null)
      return (short) c.closeStatus().code();
    return null;
  }

  /**
   * Gives an upgraded connection its own idle timeout (0 = none). The server's idle timeout is
   * short so that a half-sent request is not held; a WebSocket is legitimately silent between
   * pings. Vert.x puts one {@link IdleStateHandler} (named "idle") in the pipeline and closes the
   * connection on its event.
   */
  static void idleTimeout(HttpConnection connection, int seconds) {
    Channel channel = channelOf(connection);
    if (channel == null) return;
    IdleStateHandler idle = channel.pipeline().get(IdleStateHandler.class);
    if (idle == null) return;
    if (seconds <= 0) channel.pipeline().remove(idle);
    else
      channel
          .pipeline()
          .replace(idle, "idle", new IdleStateHandler(0, 0, seconds, TimeUnit.SECONDS));
  }

  /**
   * Keeps the server's short idle timeout for what it is for (a half-sent request is not held)
   * without cutting a request that has arrived whole and is being answered: an answer that takes
   * longer than the timeout (a first statistics read over millions of rows, a media server's slow
   * validation) sends and receives nothing meanwhile, and Vert.x closed the connection under it
   * (the client saw EOF after the server had done the work). Sits right after the "idle" handler
   * and drops its event while the connection's latest request is fully received and not yet
   * answered; the idle handler fires again later, so a connection left silent after the answer
   * still closes.
   */
  static final class AnsweringGuard extends io.netty.channel.ChannelInboundHandlerAdapter {
    io.vertx.core.http.HttpServerRequest current;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      io.vertx.core.http.HttpServerRequest r = current;
      if (evt instanceof io.netty.handler.timeout.IdleStateEvent
          && r != null
          && r.isEnded()
          && !r.response().ended()
          && !r.response().closed()) return;
      super.userEventTriggered(ctx, evt);
    }
  }

  /** Installs the {@link AnsweringGuard} on a new connection (once). */
  public static void guardAnswering(HttpConnection connection) {
    Channel channel = channelOf(connection);
    if (channel == null
        || channel.pipeline().get("idle") == null
        || channel.pipeline().get("answeringGuard") != null) return;
    channel.pipeline().addAfter("idle", "answeringGuard", new AnsweringGuard());
  }

  /** The request now being answered on its connection (not for WebSocket upgrades). */
  public static void answering(io.vertx.core.http.HttpServerRequest request) {
    Channel channel = channelOf(request.connection());
    if (channel == null) return;
    if (channel.pipeline().get("answeringGuard") instanceof AnsweringGuard g) g.current = request;
  }

  /**
   * The status for a request Netty's HTTP decoder refused before Vert.x made it a request (Vert.x's
   * own default handler, with the same choice, answers in plain text): 414 for a request line over
   * the limit, 431 for headers over it, else 400.
   */
  public static int invalidRequestStatus(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) return 414;
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) return 431;
    return 400;
  }

  /**
   * Answers a request line with an HTTP version other than 1.0/1.1 with {@code response} (505) and
   * closes. Vert.x 5.0 answers such a request itself with a bare 501 before any request handler
   * sees it (in Http1xServerRequestHandler); this guard sits in front of Vert.x's handler and sees
   * the decoded request first.
   */
  public static void guardHttpVersion(
      HttpConnection connection, int status, java.util.function.Supplier<byte[]> problemJson) {
    Channel channel = channelOf(connection);
    if (channel == null
        || channel.pipeline().get("handler") == null
        || channel.pipeline().get("versionGuard") != null) return;
    channel
        .pipeline()
        .addBefore(
            "handler",
            "versionGuard",
            new io.netty.channel.ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof io.netty.handler.codec.http.HttpRequest req
                    && req.decoderResult().isSuccess()
                    && req.protocolVersion() != io.netty.handler.codec.http.HttpVersion.HTTP_1_0
                    && req.protocolVersion() != io.netty.handler.codec.http.HttpVersion.HTTP_1_1) {
                  io.netty.util.ReferenceCountUtil.release(msg);
                  byte[] body = problemJson.get();
                  var resp =
                      new io.netty.handler.codec.http.DefaultFullHttpResponse(
                          io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                          io.netty.handler.codec.http.HttpResponseStatus.valueOf(status),
                          ctx.alloc().buffer(body.length).writeBytes(body));
                  resp.headers()
                      .set("Content-Type", "application/problem+json")
                      .set("Content-Length", body.length)
                      .set("Connection", "close");
                  ctx.writeAndFlush(resp).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                  return;
                }
                ctx.fireChannelRead(msg);
              }
            });
  }

  private static Channel channelOf(HttpConnection connection) {
    if (connection instanceof ConnectionBase base && base.channel() != null) return base.channel();
    if (!warned) {
      warned = true;
      log.warn(
          "Vert.x internals changed (checked against {}): {} gives no Netty channel; live frames are written"
              + " one flush each and slow readers are closed only after a flush",
          CHECKED_AGAINST,
          connection == null ? "null" : connection.getClass().getName());
    }
    return null;
  }

  /** A socket's Netty channel, used on its own event loop only. */
  static final class Wire {
    private final Channel channel;

    private Wire(Channel channel) {
      this.channel = channel;
    }

    /**
     * Past the high water mark, or {@code held} more bytes would take it there. A closed channel is
     * full.
     */
    boolean full(int held) {
      return !channel.isWritable() || held >= channel.bytesBeforeUnwritable();
    }

    boolean active() {
      return channel.isActive();
    }

    /**
     * The frames' text messages as wire bytes, in one buffer of {@code wireBytes} (the sum of their
     * wire sizes).
     */
    Encoded encode(List<Frame> frames, int wireBytes) {
      ByteBuf out = channel.alloc().directBuffer(wireBytes);
      for (int i = 0, n = frames.size(); i < n; i++) writeText(frames.get(i).utf8(), out);
      return new Encoded(out);
    }

    /**
     * Writes and flushes the bytes; takes ownership of {@code bytes} (share them first to write
     * them again).
     */
    void writeAndFlush(Encoded bytes) {
      channel.writeAndFlush(bytes.buf, channel.voidPromise());
    }

    /** Like {@link #writeAndFlush(Encoded)}, then {@code onDone} once the bytes are gone. */
    void writeAndFlush(Encoded bytes, Runnable onDone) {
      // the listener runs on the channel's event loop once the bytes left for the kernel, or the
      // write failed (the channel closed and released them): either way they are no longer held
      channel.writeAndFlush(bytes.buf).addListener(f -> onDone.run());
    }
  }

  /**
   * Encoded frames, reference-counted: {@link #share} for every further write, {@link #release}
   * when done.
   */
  static final class Encoded {
    private final ByteBuf buf;

    private Encoded(ByteBuf buf) {
      this.buf = buf;
    }

    /**
     * A read-only view of the same bytes for one more write: a write moves the reader index of what
     * it writes.
     */
    Encoded share() {
      return new Encoded(buf.retainedDuplicate());
    }

    /** Readable bytes: what a write of this puts on the wire. */
    int size() {
      return buf.readableBytes();
    }

    void release() {
      buf.release();
    }
  }

  private static void writeText(byte[] utf8, ByteBuf out) {
    int n = utf8.length;
    int offset = 0;
    do {
      int len = Math.min(MAX_FRAGMENT_BYTES, n - offset);
      boolean last = offset + len == n;
      int opcode = offset == 0 ? OPCODE_TEXT : OPCODE_CONTINUATION;
      out.writeByte((last ? FIN : 0) | opcode);
      if (len < 126) {
        out.writeByte(len);
      } else if (len <= 0xFFFF) {
        out.writeByte(126);
        out.writeShort(len);
      } else {
        out.writeByte(127);
        out.writeLong(len);
      }
      out.writeBytes(utf8, offset, len);
      offset += len;
    } while (offset < n);
  }
}
