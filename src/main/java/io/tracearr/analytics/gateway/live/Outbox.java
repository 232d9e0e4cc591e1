package io.tracearr.analytics.gateway.live;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;

/**
 * The frames a dashboard socket is owed until the hub's next flush tick, then written to its channel as one
 * buffer with one flush.
 *
 * <p>Why this reaches below Vert.x's WebSocket API: Vert.x 5.0 flushes every write made outside a read
 * ({@code VertxConnection.write} → {@code writeAndFlush}) and offers no write without a flush, so a broadcast
 * to 1 000 dashboards cost one syscall per frame per socket. Here a frame costs a list entry per socket; the
 * tick copies the socket's frames, already encoded as WebSocket frames (see {@link Frame#wireTo}), into one
 * buffer. Those bytes pass the WebSocket encoders untouched (they only take {@code WebSocketFrame}s) and are
 * plain uncompressed frames, valid with or without permessage-deflate (RFC 7692 §6: RSV1 clear).
 *
 * <p>Everything here runs on the channel's event loop, which is the hub's: {@link #of} refuses any other, and
 * the socket then writes through Vert.x as before. Bytes held here count toward the socket's write-queue
 * bound ({@link #full}) before they reach the channel, where Netty's water mark (set by
 * {@code setWriteQueueMaxSize}) counts them.
 */
final class Outbox {

  private final Channel channel;
  private final ArrayList<Frame> frames = new ArrayList<>();
  private int bytes;

  private Outbox(Channel channel) {
    this.channel = channel;
  }

  /** An outbox for the connection's channel, or null when it is not this event loop's (then write through Vert.x). */
  static Outbox of(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) return null;
    Channel channel = base.channel();
    return channel != null && channel.eventLoop().inEventLoop() ? new Outbox(channel) : null;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }

  /**
   * Whether the channel is past its high water mark, or what is held here fills what it has left below it.
   * A closed channel counts as full.
   */
  boolean full() {
    return !channel.isWritable() || bytes >= channel.bytesBeforeUnwritable();
  }

  int bytes() {
    return bytes;
  }

  void add(Frame f) {
    frames.add(f);
    bytes += f.wireSize();
  }

  /** Writes and flushes what is held; returns how many frames went out. */
  int flush() {
    int n = frames.size();
    if (n == 0) return 0;
    if (!channel.isActive()) {
      clear();
      return 0;
    }
    ByteBuf buf = channel.alloc().directBuffer(bytes);
    for (int i = 0; i < n; i++) frames.get(i).wireTo(buf);
    clear();
    channel.writeAndFlush(buf, channel.voidPromise());
    return n;
  }

  void clear() {
    frames.clear();
    bytes = 0;
  }
}
